// End-to-end test of the web UI in Debian's headless Chromium, driven by
// playwright-core against a real server (started by test_web_e2e.py).
// Usage: node e2e.mjs  (settings in the environment, see below)
//   VA_BASE        http://127.0.0.1:PORT
//   VA_ADMIN_KEY   an admin key; VA_USER_KEY a read,write key of another user
//   VA_VIDEO       the generated clip; VA_MEDIA a JSON description of it
//   VA_SHOTS       directory for the screenshots
//   VA_LINK_CMD    JSON argv that prints a one-time login link
//   VA_USER_NAME   the user name of VA_USER_KEY (its row in the keys table)
// The server trusts X-Forwarded-For from 127.0.0.1, so that a brute force
// from a made-up address raises a security alert without blocking the
// browser.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const env = process.env;
const BASE = env.VA_BASE;
const media = JSON.parse(env.VA_MEDIA);
const shots = env.VA_SHOTS;
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const problems = [];
let step = 'start';

function log(msg) {
  console.log(`# ${msg}`);
}

async function launch(locale = 'en-US') {
  const dir = mkdtempSync(join(tmpdir(), 'va-web-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium', headless: true, args: ARGS, locale,
    viewport: { width: 1280, height: 900 }, acceptDownloads: true,
  });
  return { context, close: async () => { await context.close(); rmSync(dir, { recursive: true, force: true }); } };
}

// Every page is watched: a CSP violation, a script error or a key in a URL
// fails the run.
function watch(page) {
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 40[14]/.test(m.text())) problems.push(`${step}: console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${step}: page error: ${e.message}`));
  page.on('request', (r) => {
    if (/va_api_/.test(r.url())) problems.push(`${step}: API key in a URL: ${r.url()}`);
  });
  return page;
}

async function shot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

async function seekAndCount(page, t) {
  return page.evaluate(async (time) => {
    const v = document.getElementById('player');
    v.pause();
    await new Promise((resolve) => {
      v.addEventListener('seeked', resolve, { once: true });
      v.currentTime = time;
    });
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const c = document.getElementById('overlay');
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i] > 0) painted++;
    return { boxes: Number(c.dataset.boxes), painted, time: v.currentTime };
  }, t);
}

async function main() {
  const { context, close } = await launch();
  const page = watch(context.pages()[0] || await context.newPage());
  const requests = [];
  const videoStatuses = [];
  page.on('request', (r) => requests.push(`${r.method()} ${r.url()}`));
  page.on('response', (r) => {
    if (/\/video\?ticket=va_med_/.test(r.url())) videoStatuses.push(r.status());
  });

  step = 'sign-in';
  await page.goto(`${BASE}/`);
  await page.waitForSelector('#signin');
  assert.equal(await page.locator('#signin h2').textContent(), 'Sign in');
  await shot(page, 'signin');
  // keyboard only: the key field has the focus, Enter submits
  await page.keyboard.type(env.VA_ADMIN_KEY);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#jobs-table');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('videoannotator.key')), env.VA_ADMIN_KEY);
  assert.ok(!page.url().includes('va_api_'));

  step = 'submit';
  await page.click('a[href="#/submit"]');
  await page.waitForSelector('#submit-form');
  await page.setInputFiles('#video-file', env.VA_VIDEO);
  for (const name of ['scene_detection', 'face_analysis', 'motion_analysis', 'audio_processing']) {
    await page.check(`#pl-${name}`);
  }
  // the option form comes from the pipeline's schema
  await page.waitForSelector('#opt-scene_detection-threshold');
  await shot(page, 'submit');
  await page.click('#submit-button');
  await page.waitForURL(/#\/jobs\/[0-9a-f-]{36}$/, { timeout: 60000 });
  const jobId = page.url().split('/').pop();
  log(`job ${jobId}`);

  step = 'progress';
  const seen = new Set();
  const deadline = Date.now() + 240000;
  for (;;) {
    const pct = await page.locator('#job-state .pct').textContent();
    seen.add(pct);
    if (pct === '100 %' && await page.locator('#job-state [data-status=completed]').count()) break;
    const failed = await page.locator('#job-state [data-status=failed]').count();
    assert.equal(failed, 0, `job failed: ${await page.locator('#job-error').textContent()}`);
    assert.ok(Date.now() < deadline, `progress stuck at ${pct}`);
    await page.waitForTimeout(100);
  }
  log(`progress seen: ${[...seen].join(', ')}`);
  assert.ok(requests.some((r) => r.startsWith('POST') && r.endsWith('/api/v1/events/ticket')));
  assert.ok(requests.some((r) => /\/api\/v1\/events\/stream\?ticket=va_evt_/.test(r)), 'event stream opened with a ticket');

  step = 'results';
  await page.waitForSelector('#job-body[data-ready="1"]', { timeout: 60000 });
  await page.waitForFunction(() => document.getElementById('player').readyState >= 2);
  const marks = await page.$$eval('.lane.scenes .mark', (els) => els.map((e) => Number(e.dataset.start)));
  log(`scene marks at ${marks.join(', ')}`);
  assert.equal(marks.length, media.scene_starts.length);
  marks.forEach((m, i) => assert.ok(Math.abs(m - media.scene_starts[i]) <= 0.2, `scene ${i} at ${m}`));

  for (const [from, to] of media.face_scenes) {
    const r = await seekAndCount(page, (from + to) / 2);
    log(`t=${r.time.toFixed(2)}: ${r.boxes} boxes, ${r.painted} painted pixels`);
    assert.ok(r.boxes >= 1 && r.painted > 100, `no face box drawn at ${r.time}`);
  }
  for (const [from, to] of media.no_face_scenes) {
    const r = await seekAndCount(page, (from + to) / 2);
    log(`t=${r.time.toFixed(2)}: ${r.boxes} boxes, ${r.painted} painted pixels`);
    assert.equal(r.boxes, 0, `a box drawn at ${r.time} where there is no face`);
    assert.equal(r.painted, 0);
  }
  await seekAndCount(page, 1.5);
  await shot(page, 'results');
  // the video streams with Range requests on a media ticket
  log(`video answers: ${videoStatuses.join(', ')}`);
  assert.ok(videoStatuses.includes(206), 'the video is read with byte ranges');

  // a scene mark seeks the video to the scene's start
  await page.locator('.lane.scenes .mark').nth(1).click();
  const afterClick = await page.evaluate(() => document.getElementById('player').currentTime);
  assert.ok(Math.abs(afterClick - media.scene_starts[1]) <= 0.2, `seeked to ${afterClick}`);

  // transcript: a text track with cues, and a clickable list
  await page.waitForFunction(() => {
    const track = document.getElementById('player').textTracks[0];
    return track && track.cues && track.cues.length > 0;
  });
  const cues = await page.evaluate(() => {
    const track = document.getElementById('player').textTracks[0];
    return track ? (track.mode === 'disabled' ? -1 : track.cues.length) : 0;
  });
  assert.ok(cues >= 1, `text track cues: ${cues}`);
  assert.ok(await page.locator('#transcript .cue').count() >= 1);
  await page.locator('#transcript .cue').first().click();
  const cueStart = await page.evaluate(() => document.getElementById('player').textTracks[0].cues[0].startTime);
  const atCue = await page.evaluate(() => document.getElementById('player').currentTime);
  assert.ok(Math.abs(atCue - cueStart) < 0.1);
  assert.ok(await page.locator('.lane.speakers .mark').count() >= 2, 'two speaker turns');
  assert.equal(await page.locator('#motion-chart').count(), 1);

  step = 'download';
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#dl-scene_detection')]);
  const saved = join(shots, 'downloaded_scene_detection.json');
  await download.saveAs(saved);
  const doc = JSON.parse(readFileSync(saved, 'utf8'));
  assert.equal(doc.annotations.length, media.scene_starts.length);
  const [zip] = await Promise.all([page.waitForEvent('download'), page.click('#dl-zip')]);
  assert.match(zip.suggestedFilename(), /^job_.*_artifacts\.zip$/);

  step = 'jobs';
  await page.click('a[href="#/jobs"]');
  await page.waitForSelector(`tr[data-job="${jobId}"] [data-status=completed]`);
  await shot(page, 'jobs');

  // filter, rerun, cancel, delete
  await page.selectOption('#status-filter', 'failed');
  await page.waitForSelector(`tr[data-job="${jobId}"]`, { state: 'detached' });
  await page.selectOption('#status-filter', '');
  await page.waitForSelector(`tr[data-job="${jobId}"]`);
  await page.click(`tr[data-job="${jobId}"] button.rerun`);
  await page.waitForFunction(() => document.querySelectorAll('#jobs-table tr[data-job]').length === 2);
  const rerunId = await page.$$eval('#jobs-table tr[data-job]',
    (rows, first) => rows.map((r) => r.dataset.job).find((id) => id !== first), jobId);
  assert.ok(rerunId);
  const cancel = page.locator(`tr[data-job="${rerunId}"] button.cancel`);
  if (await cancel.count()) {
    await cancel.click();
    await page.waitForSelector(`tr[data-job="${rerunId}"] [data-status=cancelled], tr[data-job="${rerunId}"] [data-status=completed]`);
  }
  page.once('dialog', (d) => d.accept());
  await page.click(`tr[data-job="${rerunId}"] button.delete`);
  await page.waitForSelector(`tr[data-job="${rerunId}"]`, { state: 'detached' });
  assert.equal(await page.locator('#jobs-table tr[data-job]').count(), 1);
  await page.setViewportSize({ width: 360, height: 740 });
  await page.waitForTimeout(200);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(overflow <= 360, `jobs page is ${overflow} px wide at 360`);
  await shot(page, 'jobs-360');
  await page.goto(`${BASE}/#/jobs/${jobId}`);
  await page.waitForSelector('#job-body[data-ready="1"]', { timeout: 60000 });
  const overflowResults = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(overflowResults <= 360, `results page is ${overflowResults} px wide at 360`);
  await shot(page, 'results-360');
  await page.setViewportSize({ width: 1280, height: 900 });

  step = 'admin';
  await page.click('#nav-admin');
  await page.waitForSelector('#health-status');
  assert.equal(await page.locator('#health-status').textContent(), 'healthy');
  await shot(page, 'admin-health');

  step = 'login-link';
  const link = execFileSync(JSON.parse(env.VA_LINK_CMD)[0], JSON.parse(env.VA_LINK_CMD).slice(1)).toString().trim();
  assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/#login=va_login_[A-Za-z0-9_-]{43}$/);
  const linked = watch(await context.newPage());
  await linked.goto(link);
  await linked.waitForSelector('#jobs-table');
  assert.ok(!linked.url().includes('login='), 'the token left the address bar');
  const sessionKey = await linked.evaluate(() => sessionStorage.getItem('videoannotator.key'));
  assert.match(sessionKey, /^va_api_/);
  const again = watch(await context.newPage());
  await again.goto(link);
  await again.waitForSelector('#signin-error');
  assert.match(await again.locator('#signin-error').textContent(), /login link did not work/);
  await again.close();
  await linked.close();

  step = 'pagination';
  // eleven jobs of another user: two pages of ten, and none of the admin's
  const clip = new Blob([readFileSync(env.VA_VIDEO)]);
  for (let i = 0; i < 11; i++) {
    const form = new FormData();
    form.append('selected_pipelines', 'scene_detection');
    form.append('video', clip, `page-${i}.webm`);
    const r = await fetch(`${BASE}/api/v1/jobs`, { method: 'POST', body: form, headers: { Authorization: `Bearer ${env.VA_USER_KEY}` } });
    assert.equal(r.status, 201);
  }
  const user = watch(await context.newPage());
  await user.goto(`${BASE}/`);
  await user.waitForSelector('#api-key');
  await user.fill('#api-key', env.VA_USER_KEY);
  await user.press('#api-key', 'Enter');
  await user.waitForSelector('#jobs-table tr[data-job]');
  assert.equal(await user.locator('#nav-admin').isHidden(), true, 'no admin pages for a non-admin key');
  assert.equal(await user.locator('#jobs-table tr[data-job]').count(), 10);
  assert.equal(await user.locator(`tr[data-job="${jobId}"]`).count(), 0);
  assert.equal(await user.locator('#prev-page').isDisabled(), true);
  await user.click('#next-page');
  await user.waitForFunction(() => document.querySelectorAll('#jobs-table tr[data-job]').length === 1);
  assert.match(await user.locator('.pager span').textContent(), /2 .* 2 .*11/);
  assert.equal(await user.locator('#next-page').isDisabled(), true);

  step = 'admin-keys';
  // an administrator in a second browser context
  const admin = await launch();
  const ap = watch(admin.context.pages()[0] || await admin.context.newPage());
  await ap.goto(`${BASE}/`);
  await ap.waitForSelector('#api-key');
  await ap.fill('#api-key', env.VA_ADMIN_KEY);
  await ap.press('#api-key', 'Enter');
  await ap.waitForSelector('#jobs-table');
  await ap.click('#nav-admin');
  await ap.click('a[href="#/admin/keys"]');
  await ap.waitForSelector('#admin-keys table');
  const userRow = ap.locator('#admin-keys tbody tr', { has: ap.locator(`td[data-col=username]:text-is("${env.VA_USER_NAME}")`) });
  assert.equal(await userRow.count(), 1, 'the user\'s key is listed');
  assert.equal(await ap.locator('#admin-keys th[data-col=last_used_at]').textContent(), 'Last used');
  assert.equal(await userRow.locator('td[data-col=state]').textContent(), 'active');
  // a new key is shown once, then only its prefix
  await ap.fill('#key-user_id', 'carol');
  await ap.fill('#key-username', 'Carol');
  await ap.fill('#key-email', 'carol@example.org');
  await ap.selectOption('#key-scopes', 'read');
  await ap.fill('#key-description', 'e2e reviewer');
  await ap.click('#create-key');
  await ap.waitForSelector('#new-key code.secret');
  const created = await ap.locator('#new-key code.secret').textContent();
  assert.match(created, /^va_api_[A-Za-z0-9_-]{43}$/);
  const carol = ap.locator('#admin-keys tbody tr', { has: ap.locator('td[data-col=username]:text-is("Carol")') });
  await carol.waitFor();
  const prefix = await carol.locator('td[data-col=prefix]').textContent();
  assert.ok(prefix.length >= 8 && created.startsWith(prefix), `prefix ${prefix}`);
  assert.equal(await carol.locator('td[data-col=description]').textContent(), 'e2e reviewer');
  const me = await fetch(`${BASE}/api/v1/auth/me`, { headers: { Authorization: `Bearer ${created}` } });
  assert.equal(me.status, 200, 'the key shown works');
  assert.equal((await me.json()).user_id, 'carol');
  await shot(ap, 'admin-keys-created');
  await ap.click('a[href="#/admin/health"]');
  await ap.waitForSelector('#health-status');
  await ap.click('a[href="#/admin/keys"]');
  await ap.waitForSelector('#admin-keys table');
  assert.equal(await ap.locator('#new-key code.secret').count(), 0);
  const keysText = await ap.locator('main').textContent();
  assert.ok(!keysText.includes(created), 'the key is not shown again');
  assert.ok(keysText.includes(prefix), 'its prefix is');

  step = 'revoke';
  let confirmed = '';
  ap.once('dialog', (d) => { confirmed = d.message(); d.accept(); });
  await userRow.locator('button.revoke').click();
  await userRow.locator('td[data-col=state]', { hasText: 'revoked' }).waitFor();
  assert.match(confirmed, /Revoke the key va_api_/);
  assert.equal(await userRow.locator('button.revoke').count(), 0);
  await shot(ap, 'admin-keys');
  // the next request with the revoked key ends the session
  await user.waitForTimeout(1500);
  await user.click('a[href="#/submit"]');
  await user.waitForSelector('#signin-error');
  assert.match(await user.locator('#signin-error').textContent(), /session ended/i);
  assert.equal(await user.evaluate(() => sessionStorage.getItem('videoannotator.key')), null);
  await shot(user, 'session-ended');
  await user.close();
  await close();

  step = 'admin-audit';
  await ap.click('a[href="#/admin/audit"]');
  await ap.waitForSelector('#admin-audit table');
  const revoked = ap.locator('#admin-audit tbody tr', { has: ap.locator('td[data-col=action]:text-is("key.revoke")') });
  assert.equal(await revoked.count(), 1, 'the revocation is audited');
  assert.equal(await ap.locator('#admin-audit tbody tr', { has: ap.locator('td[data-col=action]:text-is("key.create")') }).count() >= 1, true);
  await shot(ap, 'admin-audit');

  step = 'admin-alerts';
  // eleven failed sign-ins from one address behind the trusted proxy
  for (let i = 0; i < 11; i++) {
    const r = await fetch(`${BASE}/api/v1/jobs`, { headers: { Authorization: `Bearer va_api_${'Z'.repeat(43)}`, 'X-Forwarded-For': '203.0.113.7' } });
    assert.equal(r.status, 401);
  }
  // the monitor records the alert in the background: reopen until listed
  for (let tries = 0; ; tries++) {
    await ap.click('a[href="#/admin/health"]');
    await ap.waitForSelector('#health-status');
    await ap.click('a[href="#/admin/alerts"]');
    await ap.waitForSelector('#admin-alerts table, #admin-alerts p');
    if (await ap.locator('#admin-alerts table').count()) break;
    assert.ok(tries < 20, 'no security alert listed');
    await ap.waitForTimeout(500);
  }
  const alert = ap.locator('#admin-alerts tbody tr', { has: ap.locator('td[data-col=client]:text-is("203.0.113.7")') });
  assert.equal(await alert.count(), 1);
  assert.equal(await alert.locator('td[data-col=alert]').textContent(), 'auth_failures');
  await shot(ap, 'admin-alerts');
  await admin.close();

  step = 'languages';
  // the page's texts come from po/<lang>.po (/ui/messages-<lang>.json); the
  // server's refusal follows the browser's Accept-Language
  // (a refused key ends the would-be session: the page says so in its words)
  for (const [locale, title, refused, name] of [
    ['fr-FR', 'Connexion', 'Votre session a pris fin : Clé d’API non valable', 'signin-fr'],
    ['de-DE', 'Anmelden', 'Ihre Sitzung ist beendet: Ungültiger API-Schlüssel', 'signin-de'],
  ]) {
    const l = await launch(locale);
    const p = watch(l.context.pages()[0] || await l.context.newPage());
    await p.goto(`${BASE}/`);
    await p.waitForSelector('#signin');
    assert.equal(await p.locator('#signin h2').textContent(), title);
    assert.equal(await p.evaluate(() => document.documentElement.lang), locale.slice(0, 2));
    await p.fill('#api-key', `va_api_${'A'.repeat(43)}`);
    await p.press('#api-key', 'Enter');
    await p.waitForFunction(() => document.getElementById('signin-error').textContent !== '');
    assert.equal(await p.locator('#signin-error').textContent(), refused);
    await shot(p, name);
    await l.close();
  }

  assert.deepEqual(problems, []);
  log('all checks passed');
}

main().catch((e) => {
  console.error(`FAILED at step ${step}: ${e.stack || e}`);
  if (problems.length) console.error(problems.join('\n'));
  process.exit(1);
});

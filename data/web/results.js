// One job: state and live progress while it runs; once done, the video
// with the detection overlay, the scene timeline, transcript (a WebVTT
// text track and a clickable list), speaker lane, motion chart, downloads.

import { blob, del, get, post, subscribe, text } from './api.js';
import { announce, clear, formatBytes, formatDate, formatTime, h, safely } from './dom.js';
import { t } from './i18n.js';
import { detectKind, parseDetections, parseMotion, parseRttm, parseScenes, parseVtt } from './annotations.js';
import { Overlay, trackColour } from './overlay.js';
import { progressCell, rerun, statusBadge } from './jobs.js';

const FINISHED = ['completed', 'failed', 'cancelled'];


function downloadLink(label, path, filename, id) {
  const a = h('a', { href: '#', class: 'download', id, 'data-path': path }, label);
  a.addEventListener('click', async (e) => {
    if (a.dataset.ready) return; // second click: the browser follows the blob URL
    e.preventDefault();
    a.setAttribute('aria-busy', 'true');
    try {
      const b = await blob(path);
      a.href = URL.createObjectURL(b);
      a.download = filename;
      a.dataset.ready = '1';
      a.removeAttribute('aria-busy');
      a.click();
    } catch (err) {
      announce(err.message, 'error');
    }
  });
  return a;
}

function lane(duration, items, cls, label, onSeek) {
  const track = h('div', { class: `lane ${cls}`, role: 'group', 'aria-label': label });
  for (const it of items) {
    const b = h('button', {
      type: 'button', class: 'mark', title: it.title,
      'data-start': it.start.toFixed(3), 'aria-label': it.title,
    }, it.text || '');
    b.style.left = `${(100 * it.start) / duration}%`;
    b.style.width = `${Math.max(0.5, (100 * (it.end - it.start)) / duration)}%`;
    if (it.colour) b.style.borderColor = it.colour;
    b.addEventListener('click', () => onSeek(it.start));
    track.append(b);
  }
  return h('div', { class: 'lane-row' }, h('span', { class: 'lane-label' }, label), track);
}

function motionChart(points, duration, video) {
  const canvas = h('canvas', { id: 'motion-chart', class: 'chart', width: '600', height: '80', role: 'img', 'aria-label': t('results.motion') });
  const draw = () => {
    const ctx = canvas.getContext('2d');
    const { width: w, height: hgt } = canvas;
    ctx.clearRect(0, 0, w, hgt);
    const max = Math.max(1e-6, ...points.map((p) => p.energy));
    ctx.strokeStyle = '#1c4e80';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    points.forEach((p, i) => {
      const x = (p.t / duration) * w;
      const y = hgt - (p.energy / max) * (hgt - 4) - 2;
      if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    });
    ctx.stroke();
    ctx.fillStyle = '#b00020';
    ctx.fillRect((video.currentTime / duration) * w - 1, 0, 2, hgt);
  };
  video.addEventListener('timeupdate', draw);
  canvas.addEventListener('click', (e) => {
    const r = canvas.getBoundingClientRect();
    video.currentTime = ((e.clientX - r.left) / r.width) * duration;
  });
  draw();
  return canvas;
}

// The video streams from the server with Range requests (seeking reads
// only what is shown): a media ticket for this job stands for the key in
// the URL, and a new one is fetched when the old one expires mid-way.
async function playVideo(video, id, loading, urls) {
  const ticket = () => post(`/api/v1/jobs/${id}/video/ticket`);
  try {
    video.src = (await ticket()).video_url;
    let renewed = 0;
    video.addEventListener('error', async () => {
      if (Date.now() - renewed < 5000) return; // the new ticket failed too
      renewed = Date.now();
      const at = video.currentTime;
      const paused = video.paused;
      try {
        video.src = (await ticket()).video_url;
        video.currentTime = at;
        if (!paused) video.play();
      } catch (e) {
        announce(e.message, 'error');
      }
    });
  } catch (e) {
    if (e.status !== 404 && e.status !== 405) throw e;
    // a server without video tickets: the whole file, through the key
    const b = await blob(`/api/v1/jobs/${id}/video`, (seen, total) => {
      loading.textContent = t('results.loadingVideoPct', { pct: total ? Math.round((100 * seen) / total) : '…', size: formatBytes(seen) });
    });
    const url = URL.createObjectURL(b);
    urls.push(url);
    video.src = url;
  }
}

async function renderFinished(section, job, urls) {
  const results = await get(`/api/v1/jobs/${job.id}/results`);
  const downloads = h('ul', { class: 'downloads', id: 'downloads' });
  const files = [];
  for (const [name, r] of Object.entries(results.pipeline_results || {})) {
    if (!r.download_url) {
      downloads.append(h('li', {}, `${name}: ${r.error_message || t('results.noFile')}`));
      continue;
    }
    // every file of the pipeline (audio_processing writes a transcript and
    // speaker turns); servers without `files` give the output file only
    const outputs = (r.files && r.files.length)
      ? r.files.filter((f) => !f.name.endsWith('.provenance.json'))
      : [{ name: (r.output_file || name).split('/').pop(), download_url: r.download_url }];
    outputs.forEach((f, i) => {
      downloads.append(h('li', {}, downloadLink(`${name} — ${f.name}`, f.download_url, f.name,
        i === 0 ? `dl-${name}` : `dl-${name}-${i}`)));
      files.push({ name, url: f.download_url });
    });
  }
  downloads.append(h('li', {}, downloadLink(t('results.zip'), `/api/v1/jobs/${job.id}/artifacts`, `job_${job.id}_artifacts.zip`, 'dl-zip')));

  const loading = h('p', { class: 'help' }, t('results.loadingVideo'));
  const video = h('video', { id: 'player', controls: true, preload: 'auto', playsinline: true });
  const canvas = h('canvas', { id: 'overlay', class: 'overlay', 'aria-hidden': 'true' });
  const stage = h('div', { class: 'stage' }, video, canvas);
  const lanes = h('div', { class: 'lanes', id: 'lanes' });
  const transcript = h('ol', { class: 'transcript', id: 'transcript' });
  section.append(h('h3', {}, t('results.video')), loading, stage, lanes,
    h('h3', {}, t('results.transcript')), transcript,
    h('h3', {}, t('results.downloads')), downloads);

  await playVideo(video, job.id, loading, urls);
  loading.remove();
  const overlay = new Overlay(video, canvas);
  await new Promise((resolve) => {
    if (video.readyState >= 1) resolve();
    else video.addEventListener('loadedmetadata', resolve, { once: true });
  });
  const duration = video.duration || job.video_duration_seconds || 1;
  const seek = (s) => { video.currentTime = s; };

  const parsed = await Promise.all(files.map(async (f) => {
    const body = await text(f.url);
    return { ...f, body, kind: detectKind(body) };
  }));
  let transcriptCount = 0;
  for (const f of parsed) {
    if (f.kind === 'scenes') {
      const scenes = parseScenes(JSON.parse(f.body));
      lanes.append(lane(duration, scenes.map((s, i) => ({
        ...s, text: String(i + 1), title: t('results.scene', { n: i + 1, start: formatTime(s.start), end: formatTime(s.end) }),
      })), 'scenes', t('results.scenes'), seek));
    } else if (f.kind === 'faces' || f.kind === 'persons') {
      overlay.add(parseDetections(JSON.parse(f.body), f.kind));
    } else if (f.kind === 'rttm') {
      const turns = parseRttm(f.body);
      if (turns.length) {
        lanes.append(lane(duration, turns.map((x) => ({
          ...x, text: x.speaker.replace('SPEAKER_', ''), colour: trackColour(parseInt(x.speaker.replace(/\D/g, ''), 10) + 3),
          title: `${x.speaker} ${formatTime(x.start)}–${formatTime(x.end)}`,
        })), 'speakers', t('results.speakers'), seek));
      }
    } else if (f.kind === 'motion') {
      lanes.append(h('div', { class: 'lane-row' }, h('span', { class: 'lane-label' }, t('results.motion')),
        motionChart(parseMotion(f.body), duration, video)));
    } else if (f.kind === 'vtt' && transcriptCount++ === 0) {
      const trackUrl = URL.createObjectURL(new Blob([f.body], { type: 'text/vtt' }));
      urls.push(trackUrl);
      video.append(h('track', { kind: 'subtitles', src: trackUrl, srclang: 'und', label: t('results.transcript'), default: true }));
      for (const cue of parseVtt(f.body)) {
        transcript.append(h('li', {}, h('button', { type: 'button', class: 'cue', onclick: () => seek(cue.start) },
          h('span', { class: 'cue-time' }, formatTime(cue.start)), ' ',
          cue.speaker ? h('strong', {}, `${cue.speaker}: `) : null, cue.text)));
      }
    }
  }
  // audio_processing writes the turns only as the transcript's voices
  const cues = parsed.filter((f) => f.kind === 'vtt').flatMap((f) => parseVtt(f.body));
  if (!lanes.querySelector('.speakers') && cues.some((c) => c.speaker)) {
    lanes.append(lane(duration, cues.filter((c) => c.speaker).map((c) => ({
      ...c, text: c.speaker.replace('SPEAKER_', ''), colour: trackColour(parseInt(c.speaker.replace(/\D/g, ''), 10) + 3),
      title: `${c.speaker} ${formatTime(c.start)}–${formatTime(c.end)}`,
    })), 'speakers', t('results.speakers'), seek));
  }
  if (!transcript.children.length) transcript.append(h('li', { class: 'help' }, t('results.noTranscript')));
  section.dataset.ready = '1';
  return () => overlay.stop();
}

export async function renderResults(main, id) {
  const urls = [];
  let stopOverlay = null;
  let job = await get(`/api/v1/jobs/${id}`);
  const state = h('div', { class: 'row', id: 'job-state' });
  const error = h('p', { class: 'error', id: 'job-error' });
  const body = h('div', { id: 'job-body' });
  const actions = h('div', { class: 'row actions' });
  const section = h('section', { class: 'card', id: 'results' },
    h('h2', {}, job.video_filename || job.id),
    h('p', { class: 'help' }, `${t('jobs.created')}: ${formatDate(job.created_at)} · ${(job.selected_pipelines || []).join(', ')}`),
    state, error, actions, body);
  main.append(section);

  const show = async () => {
    state.replaceChildren(statusBadge(job), progressCell(job));
    error.textContent = job.error_message || '';
    clear(actions);
    if (!FINISHED.includes(job.status)) {
      actions.append(h('button', { type: 'button', onclick: safely(async () => { job = await post(`/api/v1/jobs/${id}/cancel`); await show(); }) }, t('jobs.cancel')));
    } else {
      actions.append(h('button', { type: 'button', onclick: safely(async () => { const j = await rerun(job); location.hash = `#/jobs/${j.id}`; }) }, t('jobs.rerun')));
    }
    actions.append(h('button', {
      type: 'button', class: 'danger',
      onclick: safely(async () => {
        if (!confirm(t('jobs.confirmDelete', { name: job.video_filename || id }))) return;
        await del(`/api/v1/jobs/${id}`);
        announce(t('jobs.deleted'));
        location.hash = '#/jobs';
      }),
    }, t('jobs.delete')));
    if (job.status === 'completed' && !body.dataset.done) {
      body.dataset.done = '1';
      stopOverlay = await renderFinished(body, job, urls).catch((e) => { announce(e.message, 'error'); return null; });
    }
  };
  await show();
  const unsubscribe = subscribe(async (name, ev) => {
    if (ev.job_id !== id) return;
    if (name === 'job.deleted') { location.hash = '#/jobs'; return; }
    if (name === 'job.update') {
      job = { ...job, status: ev.status, progress: ev.progress };
    } else {
      job = await get(`/api/v1/jobs/${id}`).catch(() => job);
    }
    show().catch((e) => announce(e.message, 'error'));
  });
  // a change between the first read and the stream's start is not missed,
  // and a stream that cannot connect does not leave the page stale
  const poll = setInterval(async () => {
    if (FINISHED.includes(job.status)) return;
    job = await get(`/api/v1/jobs/${id}`).catch(() => job);
    show().catch((e) => announce(e.message, 'error'));
  }, 5000);
  return () => {
    clearInterval(poll);
    unsubscribe();
    if (stopOverlay) stopOverlay();
    for (const u of urls) URL.revokeObjectURL(u);
  };
}

// Entry point: language, sign-in, then a small hash router:
//   #/submit  #/jobs  #/jobs/<id>  #/admin
// Every page is a module with a render(main, params) function returning an
// optional clean-up function (event subscriptions, object URLs).

import { get, getKey, setKey, onUnauthorized } from './api.js';
import { clear, h, safely } from './dom.js';
import { initI18n, t } from './i18n.js';
import { redeemLoginToken, renderSignIn, takeLoginToken } from './signin.js';
import { renderSubmit } from './submit.js';
import { renderJobs } from './jobs.js';
import { renderResults } from './results.js';
import { renderAdmin } from './admin.js';

const main = document.getElementById('main');
let me = null;
let cleanup = null;

function showNav(identity) {
  const nav = document.getElementById('nav');
  nav.hidden = !identity;
  document.getElementById('nav-admin').hidden = !(identity && identity.is_admin);
  document.getElementById('sign-out').hidden = !(identity && !identity.anonymous);
  document.getElementById('whoami').textContent = identity ? identity.username || identity.user_id : '';
}

function signedOut(message) {
  if (cleanup) cleanup();
  cleanup = null;
  me = null;
  setKey(null);
  showNav(null);
  renderSignIn(main, (identity) => { me = identity; showNav(me); route(); }, message);
}

async function route() {
  if (!me) return;
  if (cleanup) cleanup();
  cleanup = null;
  const hash = location.hash || '#/jobs';
  clear(main);
  for (const a of document.querySelectorAll('#nav a')) {
    if (hash.startsWith(a.getAttribute('href'))) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  let m;
  if (hash === '#/submit') cleanup = await renderSubmit(main);
  else if ((m = /^#\/jobs\/([0-9a-f-]{36})$/.exec(hash))) cleanup = await renderResults(main, m[1], me);
  else if (hash.startsWith('#/admin')) cleanup = await renderAdmin(main, me, hash);
  else cleanup = await renderJobs(main, me);
  main.focus({ preventScroll: true });
}

async function start() {
  await initI18n();
  onUnauthorized((error) => signedOut(t('signin.ended', { reason: error.message })));
  document.getElementById('sign-out').addEventListener('click', () => signedOut(t('signin.signedOut')));
  window.addEventListener('hashchange', safely(route));

  const token = takeLoginToken();
  if (token) {
    try {
      await redeemLoginToken(token);
    } catch (e) {
      signedOut(t('signin.linkFailed', { reason: e.message }));
      return;
    }
  }
  try {
    // no key: works only on a server with auth-required=false (anonymous)
    me = await get('/api/v1/auth/me');
  } catch (e) {
    signedOut(getKey() ? t('signin.ended', { reason: e.message }) : null);
    return;
  }
  showNav(me);
  await route();
}

start().catch((e) => {
  clear(main).append(h('p', { class: 'error', role: 'alert' }, e.message));
});

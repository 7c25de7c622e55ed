// Sign-in: an API key typed or pasted (kept in sessionStorage), or a
// one-time login link (`videoannotator web-link`) whose token arrives in
// the URL fragment and is traded for a session key at once.

import { ApiError, get, post, setKey } from './api.js';
import { h, clear } from './dom.js';
import { t } from './i18n.js';

// Reads #login=… and removes it from the address bar and history before
// anything else happens, so the token is not kept anywhere.
export function takeLoginToken() {
  const match = /^#login=([A-Za-z0-9_-]+)$/.exec(location.hash);
  if (!match) return null;
  history.replaceState(null, '', `${location.pathname}#/jobs`);
  return match[1];
}

export async function redeemLoginToken(token) {
  const reply = await post('/api/v1/auth/login-link', { token });
  setKey(reply.api_key);
}

export function renderSignIn(main, onSignedIn, message) {
  clear(main);
  const input = h('input', {
    id: 'api-key', name: 'api-key', type: 'password', autocomplete: 'off', required: true,
    spellcheck: 'false', 'aria-describedby': 'api-key-help',
  });
  const error = h('p', { id: 'signin-error', class: 'error', role: 'alert' });
  if (message) error.textContent = message;
  const form = h('form', { class: 'card narrow', id: 'signin' },
    h('h2', {}, t('signin.title')),
    h('label', { for: 'api-key' }, t('signin.key')),
    input,
    h('p', { id: 'api-key-help', class: 'help' }, t('signin.help')),
    error,
    h('button', { type: 'submit' }, t('signin.submit')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    setKey(input.value.trim());
    try {
      const me = await get('/api/v1/auth/me');
      onSignedIn(me);
    } catch (err) {
      setKey(null);
      error.textContent = err instanceof ApiError && err.status === 401
        ? t('signin.rejected', { reason: err.message }) : err.message;
      input.focus();
    }
  });
  main.append(form);
  input.focus();
}

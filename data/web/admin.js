// Admin pages (admin keys only): health, API keys, audit log, security
// alerts. Routes a server does not have (404) are shown as "not available
// on this server" rather than as errors.

import { ApiError, del, get, post } from './api.js';
import { announce, clear, formatDate, h, safely } from './dom.js';
import { t } from './i18n.js';

const TABS = ['health', 'keys', 'audit', 'alerts'];


function unavailable(section, route) {
  section.append(h('p', { class: 'notice', 'data-unavailable': route }, t('admin.unavailable', { route })));
}

// Runs fn; a 404 (route missing) becomes the notice, other errors a message.
async function guarded(section, route, fn) {
  try {
    await fn();
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) unavailable(section, route);
    else section.append(h('p', { class: 'error', role: 'alert' }, e.message));
  }
}

function rows(reply, names) {
  if (Array.isArray(reply)) return reply;
  for (const n of names) if (Array.isArray(reply[n])) return reply[n];
  return [];
}

function table(items, columns, extra) {
  return h('div', { class: 'scroll' }, h('table', {},
    // the actions column comes first so that it stays in view when a wide
    // table scrolls sideways (narrow screens, long key descriptions)
    h('thead', {}, h('tr', {}, extra ? h('th', { scope: 'col' }, t('jobs.actions')) : null, columns.map((c) => h('th', { scope: 'col', 'data-col': c }, t(`admin.col.${c}`))))),
    h('tbody', {}, items.map((it) => h('tr', {},
      extra ? h('td', {}, extra(it)) : null,
      columns.map((c) => {
        const v = it[c];
        return h('td', { 'data-col': c }, Array.isArray(v) ? v.join(', ') : /_at$|timestamp|^time$/.test(c) ? formatDate(v) : v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
      }))))));
}

function dl(obj) {
  return h('dl', { class: 'facts' }, Object.entries(obj).flatMap(([k, v]) => [
    h('dt', {}, k), h('dd', {}, typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v))]));
}

async function health(section) {
  const sys = await get('/api/v1/system/health');
  section.append(h('p', {}, h('span', { class: `badge s-${sys.status === 'healthy' ? 'completed' : 'failed'}`, id: 'health-status' }, sys.status)));
  for (const part of ['database', 'storage', 'workers', 'security', 'pipelines']) {
    if (sys[part]) section.append(h('h3', {}, part), dl(sys[part]));
  }
  const m = await get('/api/v1/system/metrics');
  section.append(h('h3', {}, t('admin.metrics')), dl(m.metrics));
}

async function keys(section) {
  const list = h('div');
  const shown = h('div', { id: 'new-key', role: 'status' });
  const load = async () => {
    const reply = await get('/api/v1/keys');
    clear(list).append(table(rows(reply, ['keys', 'items']), ['prefix', 'user_id', 'username', 'scopes', 'description', 'created_at', 'expires_at', 'last_used_at', 'state'],
      (k) => (k.revoked ? null : h('button', {
        type: 'button', class: 'danger revoke', 'data-key': k.id || k.key_id,
        onclick: safely(async () => {
          if (!confirm(t('admin.confirmRevoke', { key: k.prefix }))) return;
          await del(`/api/v1/keys/${encodeURIComponent(k.id || k.key_id)}`);
          announce(t('admin.revoked'));
          await load();
        }),
      }, t('admin.revoke')))));
  };
  await load();
  const fields = ['user_id', 'username', 'email', 'description'].map((n) => h('div', { class: 'field' },
    h('label', { for: `key-${n}` }, t(`admin.${n}`)),
    h('input', { id: `key-${n}`, name: n, type: n === 'email' ? 'email' : 'text', required: n !== 'description' })));
  const scopes = h('select', { id: 'key-scopes', name: 'scopes' },
    ['read', 'read,write', 'read,write,admin'].map((s) => h('option', { value: s }, s)));
  const form = h('form', { class: 'inline-form' }, fields,
    h('div', { class: 'field' }, h('label', { for: 'key-scopes' }, t('admin.scopes')), scopes),
    h('button', { type: 'submit', id: 'create-key' }, t('admin.create')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = Object.fromEntries(new FormData(form));
    body.scopes = body.scopes.split(',');
    try {
      const reply = await post('/api/v1/keys', body);
      clear(shown).append(h('p', { class: 'notice' }, t('admin.keyOnce')),
        h('code', { class: 'secret' }, reply.key || reply.api_key));
      load();
    } catch (err) {
      announce(err.message, 'error');
    }
  });
  const all = h('button', {
    type: 'button', class: 'danger', id: 'revoke-all',
    onclick: safely(async () => {
      if (!confirm(t('admin.confirmRevokeAll'))) return;
      await post('/api/v1/keys/revoke-all', {});
      announce(t('admin.revoked'));
      await load();
    }),
  }, t('admin.revokeAll'));
  section.append(h('h3', {}, t('admin.createTitle')), form, shown, h('h3', {}, t('admin.keyList')), list, all);
}

async function audit(section) {
  const reply = await get('/api/v1/audit', { limit: 50 });
  const items = rows(reply, ['entries']);
  section.append(table(items, ['time', 'user_id', 'key_prefix', 'action', 'target', 'detail', 'request_id']));
}

async function alerts(section) {
  const reply = await get('/api/v1/security/alerts', { limit: 100 });
  const items = rows(reply, ['alerts', 'items']);
  section.append(items.length ? table(items, ['timestamp', 'alert', 'client', 'count', 'window_seconds', 'blocked_seconds', 'message'])
    : h('p', {}, t('admin.noAlerts')));
}

export async function renderAdmin(main, me, hash) {
  if (!me.is_admin) {
    main.append(h('p', { class: 'error', role: 'alert' }, t('admin.needAdmin')));
    return null;
  }
  const tab = TABS.find((x) => hash === `#/admin/${x}`) || 'health';
  const nav = h('nav', { class: 'tabs', 'aria-label': t('nav.admin') },
    TABS.map((x) => h('a', { href: `#/admin/${x}`, 'aria-current': x === tab ? 'page' : false }, t(`admin.${x}`))));
  const section = h('section', { class: 'card', id: `admin-${tab}` }, h('h2', {}, t(`admin.${tab}`)));
  main.append(nav, section);
  const routes = { health: '/api/v1/system/health', keys: '/api/v1/keys', audit: '/api/v1/audit', alerts: '/api/v1/security/alerts' };
  await guarded(section, routes[tab], () => ({ health, keys, audit, alerts })[tab](section));
  return null;
}

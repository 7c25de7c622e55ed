// Jobs: a page of the caller's jobs (status filter, pagination), kept live
// by the event stream; cancel, delete, rerun.

import { blob, del, get, post, subscribe, upload } from './api.js';
import { announce, clear, formatDate, h, safely } from './dom.js';
import { t } from './i18n.js';

const STATES = ['pending', 'running', 'completed', 'failed', 'cancelled'];
const PER_PAGE = 10;

// Rerun: the stored video goes up again as a new job with the same
// pipelines and options.
export async function rerun(job) {
  const video = await blob(`/api/v1/jobs/${job.id}/video`);
  const data = new FormData();
  if (job.selected_pipelines && job.selected_pipelines.length) data.append('selected_pipelines', job.selected_pipelines.join(','));
  if (job.config && Object.keys(job.config).length) data.append('config', JSON.stringify(job.config));
  data.append('video', video, job.video_filename || 'video');
  return upload('/api/v1/jobs', data, () => {});
}

export function statusBadge(job) {
  return h('span', { class: `badge s-${job.status}`, 'data-status': job.status }, t(`state.${job.status}`));
}

export function progressCell(job) {
  const pct = Math.round(job.progress ?? 0);
  return h('span', { class: 'progress-cell' },
    h('progress', { max: '100', value: String(pct), 'aria-label': t('jobs.progressOf', { name: job.video_filename || job.id }) }),
    h('span', { class: 'pct' }, `${pct} %`));
}

export async function renderJobs(main) {
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  let page = Math.max(1, parseInt(params.get('page') || '1', 10));
  let filter = params.get('status') || '';
  const rows = new Map();

  const select = h('select', { id: 'status-filter' },
    h('option', { value: '' }, t('jobs.all')),
    STATES.map((s) => h('option', { value: s, selected: s === filter }, t(`state.${s}`))));
  const tbody = h('tbody');
  const pager = h('div', { class: 'pager row' });
  const table = h('table', { class: 'jobs', id: 'jobs-table' },
    h('caption', { class: 'visually-hidden' }, t('jobs.title')),
    h('thead', {}, h('tr', {},
      ['jobs.video', 'jobs.status', 'jobs.progress', 'jobs.created', 'jobs.actions'].map((k) => h('th', { scope: 'col' }, t(k))))),
    tbody);

  async function act(label, fn) {
    try {
      await fn();
      announce(label);
      await load();
    } catch (e) {
      if (e.status !== 401) announce(e.message, 'error');
    }
  }

  function row(job) {
    const actions = h('div', { class: 'actions' });
    if (job.status === 'pending' || job.status === 'running') {
      actions.append(h('button', { type: 'button', class: 'cancel', onclick: () => act(t('jobs.cancelled'), () => post(`/api/v1/jobs/${job.id}/cancel`)) }, t('jobs.cancel')));
    } else {
      actions.append(h('button', { type: 'button', class: 'rerun', onclick: () => act(t('jobs.rerunDone'), () => rerun(job)) }, t('jobs.rerun')));
    }
    actions.append(h('button', {
      type: 'button', class: 'delete danger',
      onclick: () => {
        if (confirm(t('jobs.confirmDelete', { name: job.video_filename || job.id }))) act(t('jobs.deleted'), () => del(`/api/v1/jobs/${job.id}`));
      },
    }, t('jobs.delete')));
    const tr = h('tr', { 'data-job': job.id },
      h('td', {}, h('a', { href: `#/jobs/${job.id}` }, job.video_filename || job.id)),
      h('td', { class: 'status' }, statusBadge(job)),
      h('td', { class: 'progress' }, progressCell(job)),
      h('td', {}, formatDate(job.created_at)),
      h('td', {}, actions));
    rows.set(job.id, tr);
    return tr;
  }

  async function load() {
    const reply = await get('/api/v1/jobs', { page, per_page: PER_PAGE, status_filter: filter });
    clear(tbody);
    rows.clear();
    if (!reply.jobs.length) tbody.append(h('tr', {}, h('td', { colspan: '5' }, t('jobs.none'))));
    for (const job of reply.jobs) tbody.append(row(job));
    const pages = Math.max(1, Math.ceil(reply.total / PER_PAGE));
    clear(pager).append(
      h('button', { type: 'button', id: 'prev-page', disabled: page <= 1, onclick: () => { page--; reload(); } }, t('jobs.prev')),
      h('span', {}, t('jobs.page', { page, pages, total: reply.total })),
      h('button', { type: 'button', id: 'next-page', disabled: page >= pages, onclick: () => { page++; reload(); } }, t('jobs.next')));
  }

  // reloads started by events and buttons report their failure
  const reload = safely(load);
  select.addEventListener('change', () => { filter = select.value; page = 1; reload(); });
  main.append(h('section', { class: 'card' },
    h('div', { class: 'row spread' }, h('h2', {}, t('jobs.title')),
      h('div', { class: 'field inline' }, h('label', { for: 'status-filter' }, t('jobs.filter')), select)),
    h('div', { class: 'scroll' }, table), pager));
  await load();

  return subscribe((name, ev) => {
    const tr = rows.get(ev.job_id);
    if (name === 'job.deleted') { if (tr) tr.remove(); return; }
    if (!tr) { if (name === 'job.update' && ev.status === 'pending') reload(); return; }
    const job = { status: ev.status, progress: ev.progress ?? 0, id: ev.job_id };
    tr.querySelector('td.status').replaceChildren(statusBadge(job));
    tr.querySelector('td.progress').replaceChildren(progressCell(job));
    if (name !== 'job.update') reload();
  });
}

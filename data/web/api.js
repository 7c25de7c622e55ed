// The REST API as the page uses it. The key lives in sessionStorage (gone
// when the tab closes) and travels in the Authorization header only; the
// event stream is opened with a single-use ticket instead.

const KEY = 'videoannotator.key';
const listeners = new Set();

export class ApiError extends Error {
  constructor(status, body) {
    const err = body && body.error;
    super((err && err.message) || (body && body.detail) || `HTTP ${status}`);
    this.status = status;
    this.code = err ? err.code : null;
    this.hint = err ? err.hint : null;
  }
}

export function getKey() {
  return sessionStorage.getItem(KEY);
}

export function setKey(key) {
  if (key) sessionStorage.setItem(KEY, key);
  else sessionStorage.removeItem(KEY);
}

// Called with the error when the server stops accepting the key (revoked,
// expired): the page goes back to the sign-in form.
export function onUnauthorized(fn) {
  listeners.add(fn);
}

function headers(extra = {}) {
  const key = getKey();
  return key ? { Authorization: `Bearer ${key}`, ...extra } : extra;
}

async function fail(reply) {
  let body = null;
  try { body = await reply.json(); } catch (e) { /* not JSON */ }
  const error = new ApiError(reply.status, body);
  if (reply.status === 401 && getKey()) for (const fn of listeners) fn(error);
  throw error;
}

export async function request(method, path, { json, query, raw } = {}) {
  let url = path;
  if (query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
    if ([...q].length) url += `?${q}`;
  }
  const init = { method, headers: headers(json !== undefined ? { 'Content-Type': 'application/json' } : {}) };
  if (json !== undefined) init.body = JSON.stringify(json);
  const reply = await fetch(url, init);
  if (!reply.ok) await fail(reply);
  if (raw) return reply;
  if (reply.status === 204) return null;
  return reply.json();
}

export const get = (path, query) => request('GET', path, { query });
export const post = (path, json) => request('POST', path, { json });
export const del = (path) => request('DELETE', path);

// A result file or the video as a Blob (the key goes in a header, which
// <video src> and <a href> could not send).
export async function blob(path, onProgress) {
  const reply = await request('GET', path, { raw: true });
  const total = Number(reply.headers.get('Content-Length')) || 0;
  if (!reply.body || !onProgress) return reply.blob();
  const reader = reply.body.getReader();
  const parts = [];
  let seen = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    seen += value.length;
    onProgress(seen, total);
  }
  return new Blob(parts, { type: reply.headers.get('Content-Type') || '' });
}

export async function text(path) {
  const reply = await request('GET', path, { raw: true });
  return reply.text();
}

// Multipart upload with progress (fetch has no upload progress).
export function upload(path, form, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    const key = getKey();
    if (key) xhr.setRequestHeader('Authorization', `Bearer ${key}`);
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) onProgress(e.loaded, e.total);
    });
    xhr.addEventListener('load', () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else {
        const error = new ApiError(xhr.status, body);
        if (xhr.status === 401 && getKey()) for (const fn of listeners) fn(error);
        reject(error);
      }
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, null)));
    xhr.send(form);
  });
}

// Job events: a fresh ticket for every (re)connection, since tickets are
// single use and an EventSource's own reconnection would present a used one.
export function subscribe(onEvent) {
  let source = null;
  let stopped = false;
  let retry = 0;
  const names = ['job.update', 'job.completed', 'job.failed', 'job.cancelled', 'job.deleted'];

  async function connect() {
    if (stopped) return;
    try {
      const { stream_url: url } = await post('/api/v1/events/ticket');
      if (stopped) return;
      source = new EventSource(url);
      source.addEventListener('open', () => { retry = 0; });
      for (const name of names) {
        source.addEventListener(name, (e) => onEvent(name, JSON.parse(e.data)));
      }
      source.addEventListener('error', () => {
        source.close();
        schedule();
      });
    } catch (e) {
      if (e.status !== 401) schedule();
    }
  }
  function schedule() {
    retry = Math.min(retry + 1, 6);
    setTimeout(connect, 500 * 2 ** retry);
  }
  connect();
  return () => {
    stopped = true;
    if (source) source.close();
  };
}

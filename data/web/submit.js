// Submit: a video (dropped or picked), the pipelines to run with their
// options (form built from /api/v1/pipelines/{name}/schema), upload with a
// progress bar, then the job's page.

import { ApiError, get, upload } from './api.js';
import { announce, formatBytes, h, safely } from './dom.js';
import { t } from './i18n.js';

function field(pipeline, p) {
  const id = `opt-${pipeline}-${p.name}`;
  const common = { id, name: p.name, 'data-type': p.type, 'aria-describedby': `${id}-help` };
  let input;
  if (p.type === 'boolean') {
    input = h('input', { ...common, type: 'checkbox', checked: p.default === true });
  } else if (p.type === 'enum') {
    input = h('select', common, (p.enum || []).map((e) => h('option', { value: e.value, selected: e.value === p.default }, e.value)));
  } else if (p.type === 'integer' || p.type === 'number') {
    input = h('input', {
      ...common, type: 'number', min: p.min, max: p.max, step: p.type === 'integer' ? 1 : 'any',
      placeholder: p.default ?? '',
    });
  } else {
    input = h('input', { ...common, type: 'text', placeholder: p.default ?? '' });
  }
  const help = h('small', { id: `${id}-help`, class: 'help' }, p.description || '');
  return p.type === 'boolean'
    ? h('div', { class: 'field check' }, input, h('label', { for: id }, p.name), help)
    : h('div', { class: 'field' }, h('label', { for: id }, p.name), input, help);
}

// Only options the user changed go in the config: the server's defaults
// stay the server's.
function readOptions(fieldset, schema) {
  const out = {};
  for (const p of schema.parameters || []) {
    const el = fieldset.querySelector(`[name="${CSS.escape(p.name)}"]`);
    if (!el) continue;
    if (p.type === 'boolean') {
      if (el.checked !== (p.default === true)) out[p.name] = el.checked;
    } else if (el.value !== '' && String(el.value) !== String(p.default ?? '')) {
      out[p.name] = p.type === 'integer' ? parseInt(el.value, 10) : p.type === 'number' ? Number(el.value) : el.value;
    }
  }
  return out;
}

export async function renderSubmit(main) {
  let file = null;
  const { pipelines } = await get('/api/v1/pipelines', { include_unavailable: 'true' });
  const schemas = new Map();

  const fileInput = h('input', { id: 'video-file', type: 'file', accept: 'video/*,audio/*', class: 'visually-hidden' });
  const fileName = h('p', { id: 'file-name', class: 'help' }, t('submit.noFile'));
  const drop = h('div', { id: 'drop-zone', class: 'drop', tabindex: '0', role: 'button', 'aria-describedby': 'file-name' },
    t('submit.drop'));
  const pick = (f) => {
    file = f;
    fileName.textContent = f ? `${f.name} (${formatBytes(f.size)})` : t('submit.noFile');
  };
  fileInput.addEventListener('change', () => pick(fileInput.files[0] || null));
  drop.addEventListener('click', () => fileInput.click());
  drop.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); fileInput.click(); }
  });
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer.files.length) pick(e.dataTransfer.files[0]);
  });

  const list = h('div', { class: 'pipelines' });
  for (const p of pipelines) {
    const id = `pl-${p.name}`;
    const options = h('fieldset', { class: 'options', hidden: true }, h('legend', {}, t('submit.options', { name: p.name })));
    const box = h('input', { type: 'checkbox', id, name: 'pipeline', value: p.name, disabled: !p.available });
    box.addEventListener('change', safely(async () => {
      options.hidden = !box.checked;
      if (box.checked && !schemas.has(p.name)) {
        const schema = await get(`/api/v1/pipelines/${encodeURIComponent(p.name)}/schema`);
        schemas.set(p.name, schema);
        for (const param of schema.parameters || []) options.append(field(p.name, param));
        if (!(schema.parameters || []).length) options.append(h('p', { class: 'help' }, t('submit.noOptions')));
      }
    }));
    const why = p.available ? p.description : `${t('submit.unavailable')}: ${p.unavailable_reason || p.install_hint || ''}`;
    list.append(h('div', { class: `pipeline${p.available ? '' : ' off'}` },
      h('div', { class: 'field check' }, box, h('label', { for: id }, p.display_name || p.name)),
      h('small', { class: 'help' }, why || ''), options));
  }

  const progress = h('progress', { id: 'upload-progress', max: '100', value: '0', hidden: true, 'aria-label': t('submit.progress') });
  const progressText = h('span', { id: 'upload-text', class: 'help' });
  const error = h('p', { class: 'error', role: 'alert', id: 'submit-error' });
  const button = h('button', { type: 'submit', id: 'submit-button' }, t('submit.upload'));
  const form = h('form', { id: 'submit-form', class: 'card' },
    h('h2', {}, t('submit.title')),
    h('label', { for: 'video-file', class: 'label' }, t('submit.video')), fileInput, drop, fileName,
    h('h3', {}, t('submit.pipelines')), h('p', { class: 'help' }, t('submit.defaults')), list,
    error, h('div', { class: 'row' }, button, progress, progressText));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    if (!file) { error.textContent = t('submit.needFile'); drop.focus(); return; }
    const selected = [...list.querySelectorAll('input[name=pipeline]:checked')].map((b) => b.value);
    const config = {};
    for (const name of selected) {
      const schema = schemas.get(name);
      const fieldset = list.querySelector(`#pl-${CSS.escape(name)}`).closest('.pipeline').querySelector('fieldset');
      const opts = schema ? readOptions(fieldset, schema) : {};
      if (Object.keys(opts).length) config[name] = opts;
    }
    const data = new FormData();
    if (selected.length) data.append('selected_pipelines', selected.join(','));
    if (Object.keys(config).length) data.append('config', JSON.stringify(config));
    data.append('video', file, file.name);
    button.disabled = true;
    progress.hidden = false;
    try {
      const job = await upload('/api/v1/jobs', data, (loaded, total) => {
        const pct = Math.round((100 * loaded) / total);
        progress.value = pct;
        progressText.textContent = `${pct} %`;
      });
      announce(t('submit.done'));
      location.hash = `#/jobs/${job.id}`;
    } catch (err) {
      error.textContent = err instanceof ApiError && err.status === 0 ? t('app.offline') : err.message;
      button.disabled = false;
    }
  });
  main.append(form);
  return null;
}

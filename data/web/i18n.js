// Message catalogues. The English texts are data/web/strings.js (by key);
// their translations are the project's gettext catalogues (po/<lang>.po),
// compiled into the server as /ui/messages-<lang>.json
// ({"messages": {"English text": "translation"}}), the same ones the REST
// error messages use. The first of the browser's languages that has a
// catalogue wins; a text a catalogue lacks stays English.

import english from './strings.js';

const AVAILABLE = ['en', 'fr', 'de'];
let messages = {};
let language = 'en';

async function load(lang) {
  const reply = await fetch(`/ui/messages-${lang}.json`);
  if (!reply.ok) throw new Error(`catalogue ${lang}: ${reply.status}`);
  return (await reply.json()).messages || {};
}

export function pickLanguage(preferred) {
  for (const tag of preferred) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (AVAILABLE.includes(base)) return base;
  }
  return 'en';
}

export async function initI18n(preferred = navigator.languages || [navigator.language]) {
  language = pickLanguage(preferred);
  messages = language === 'en' ? {} : await load(language).catch(() => ({}));
  document.documentElement.lang = language;
  translateTree(document);
}

export function currentLanguage() {
  return language;
}

export function t(key, params = {}) {
  const source = english[key] ?? key;
  const text = typeof messages[source] === 'string' && messages[source] !== '' ? messages[source] : source;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

// Elements marked data-i18n="key" get t(key) as their text;
// data-i18n-label / data-i18n-placeholder / data-i18n-title set attributes.
export function translateTree(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const attr of ['label', 'placeholder', 'title']) {
    for (const el of root.querySelectorAll(`[data-i18n-${attr}]`)) {
      el.setAttribute(attr === 'label' ? 'aria-label' : attr, t(el.dataset[`i18n${attr[0].toUpperCase()}${attr.slice(1)}`]));
    }
  }
}

// Message catalogues: /ui/i18n-<lang>.json, one flat object of
// "dotted.key": "text with {name} placeholders". English is loaded first
// and is the fallback for any key a translation lacks; the first of the
// browser's languages that has a catalogue wins.

const AVAILABLE = ['en', 'fr', 'de'];
let messages = {};
let fallback = {};
let language = 'en';

async function load(lang) {
  const reply = await fetch(`/ui/i18n-${lang}.json`);
  if (!reply.ok) throw new Error(`catalogue ${lang}: ${reply.status}`);
  return reply.json();
}

export function pickLanguage(preferred) {
  for (const tag of preferred) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (AVAILABLE.includes(base)) return base;
  }
  return 'en';
}

export async function initI18n(preferred = navigator.languages || [navigator.language]) {
  fallback = await load('en');
  language = pickLanguage(preferred);
  messages = language === 'en' ? fallback : await load(language).catch(() => fallback);
  document.documentElement.lang = language;
  translateTree(document);
}

export function currentLanguage() {
  return language;
}

export function t(key, params = {}) {
  const text = messages[key] ?? fallback[key] ?? key;
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

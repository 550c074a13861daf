// The agent-facing strings: translations/<locale>.json "ui" sections, bundled into
// ui-strings.js because Zendesk serves only assets/ to the iframe.
import { UI_STRINGS } from './ui-strings.js';

export const FALLBACK_LANGUAGE = 'en';

/** The sidebar's language for a Zendesk locale such as "de", "de-CH" or "en-US". */
export function languageFor(locale) {
  const tag = String(locale || '').toLowerCase();
  return tag === 'de' || tag.startsWith('de-') || tag.startsWith('de_') ? 'de' : 'en';
}

/** A translate function: t('key', { name: value }) fills `{name}` placeholders. */
export function translator(language, strings = UI_STRINGS) {
  const table = strings[language] || strings[FALLBACK_LANGUAGE];
  const fallback = strings[FALLBACK_LANGUAGE];
  const t = (key, vars = {}) => {
    const template = table[key] ?? fallback[key] ?? key;
    return template.replace(/\{(\w+)\}/g, (whole, name) =>
      Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : whole,
    );
  };
  t.language = strings[language] ? language : FALLBACK_LANGUAGE;
  return t;
}

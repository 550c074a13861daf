import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';

import { UI_STRINGS } from '../assets/ui-strings.js';

const assets = new URL('../assets/', import.meta.url);
const translations = new URL('../translations/', import.meta.url);
// i18n.js documents t('key') in a comment; ui-strings.js is the table itself.
const sources = readdirSync(assets).filter((name) => name.endsWith('.js') && !['ui-strings.js', 'i18n.js'].includes(name));

test('English and German have the same strings', () => {
  assert.deepEqual(Object.keys(UI_STRINGS.de).sort(), Object.keys(UI_STRINGS.en).sort());
});

test('every string the code names literally exists', () => {
  for (const name of sources) {
    const code = readFileSync(new URL(name, assets), 'utf8');
    // Keys are written whole (t('portfolio.sync.eta')), dots included, never built in pieces
    // except around a variable part, which the tests of each view cover.
    for (const [, key] of code.matchAll(/\bt\('([a-z0-9_.]+)'/g)) {
      assert.ok(key in UI_STRINGS.en, `${name}: t('${key}') has no string`);
    }
  }
});

test('placeholders match between the languages', () => {
  const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const [key, english] of Object.entries(UI_STRINGS.en)) {
    assert.deepEqual(placeholders(UI_STRINGS.de[key]), placeholders(english), key);
  }
});

test('German addresses the reader as "Sie" everywhere, settings page included', () => {
  const german = JSON.parse(readFileSync(new URL('de.json', translations), 'utf8'));
  const texts = [
    ...Object.values(UI_STRINGS.de),
    german.app.long_description,
    german.app.installation_instructions,
    ...Object.values(german.app.parameters).flatMap((p) => [p.label, p.helpText]),
  ];
  for (const text of texts) {
    assert.doesNotMatch(text, /\b(du|dich|dir|dein\w*|euch|euer)\b/i, text);
  }
});

test('the German long description ends like the English one: data stays with you', () => {
  const german = JSON.parse(readFileSync(new URL('de.json', translations), 'utf8'));
  const english = JSON.parse(readFileSync(new URL('en.json', translations), 'utf8'));
  assert.match(english.app.long_description, /ticket data never leaves your infrastructure/);
  assert.match(german.app.long_description, /Ticketdaten nie Ihre Infrastruktur\.$/);
});

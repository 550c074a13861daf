import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  escapeHtml, formatDelta, formatNumber, formatScore, formatValue, pointsToGo, timeAgo,
} from '../assets/format.js';
import { languageFor, translator } from '../assets/i18n.js';

const en = translator('en');
const de = translator('de');

test('percent values carry their unit and a real minus sign', () => {
  assert.equal(formatValue(86.2, '%', 'en'), '86\u202f%');
  assert.equal(formatValue(-250.4, '%', 'en'), '\u2212250\u202f%');
  assert.equal(formatValue(34, '%', 'de'), '34\u202f%');
});

test('non-percent units are spelled after the number', () => {
  assert.equal(formatValue(1.2, 'replies', 'en'), '1 replies');
  assert.equal(formatValue(12345, null, 'de'), '12.345');
});

test('numbers that round to zero lose their minus sign; missing numbers show a dash', () => {
  assert.equal(formatNumber(-0.2, 'en'), '0');
  assert.equal(formatNumber(null, 'en'), '–');
  assert.equal(formatScore(undefined, 'en'), '–');
});

test('deltas have one decimal in the locale and no sign', () => {
  assert.equal(formatDelta(-4.1, 'en'), '4.1');
  assert.equal(formatDelta(-4.1, 'de'), '4,1');
  assert.equal(formatDelta(3, 'en'), '3');
});

test('time ago in minutes, hours and days', () => {
  const now = new Date('2026-11-20T10:04:30Z');
  assert.equal(timeAgo('2026-11-20T10:04:00Z', now, en), 'just now');
  assert.equal(timeAgo('2026-11-20T10:00:00Z', now, en), '4 min ago');
  assert.equal(timeAgo('2026-11-20T07:00:00Z', now, en), '3 h ago');
  assert.equal(timeAgo('2026-11-17T10:00:00Z', now, en), '3 days ago');
  assert.equal(timeAgo('2026-11-20T10:00:00Z', now, de), 'vor 4 Min.');
  assert.equal(timeAgo('not a date', now, en), null);
});

test('points to go round to whole points and never say 0 while the goal is missed', () => {
  assert.equal(pointsToGo(6.6), 7);
  assert.equal(pointsToGo(6.4), 6);
  assert.equal(pointsToGo(0.2), 1);
});

test('escapeHtml escapes markup and quotes', () => {
  assert.equal(escapeHtml('<a href="x">\'&'), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;');
  assert.equal(escapeHtml(null), '');
});

test('the agent locale picks German for de*, English otherwise', () => {
  assert.equal(languageFor('de'), 'de');
  assert.equal(languageFor('de-CH'), 'de');
  assert.equal(languageFor('en-US'), 'en');
  assert.equal(languageFor('fr'), 'en');
  assert.equal(languageFor(undefined), 'en');
});

test('the translator fills placeholders and falls back to English', () => {
  const strings = { en: { hi: 'Hi {name}', only: 'English' }, de: { hi: 'Hallo {name}' } };
  const t = translator('de', strings);
  assert.equal(t('hi', { name: 'Ana' }), 'Hallo Ana');
  assert.equal(t('only'), 'English');
  assert.equal(t('missing'), 'missing');
  assert.equal(translator('fr', strings).language, 'en');
});

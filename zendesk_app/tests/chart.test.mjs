import assert from 'node:assert/strict';
import { test } from 'node:test';

import { historyPath, historySegments, renderHistory } from '../assets/chart.js';
import { translator } from '../assets/i18n.js';

const en = translator('en');
const de = translator('de');
const THRESHOLDS = { green: 70, red: 40 };

function days(scores, start = '2026-09-01') {
  const first = Date.parse(`${start}T00:00:00Z`);
  return scores.map((score, i) => ({
    date: new Date(first + i * 86_400_000).toISOString().slice(0, 10),
    score,
  }));
}

test('no scores at all: no chart (a null score is never drawn as 0)', () => {
  const nothing = days([null, null, null, null]);
  assert.equal(historySegments(nothing), null);
  assert.equal(renderHistory(nothing, THRESHOLDS, en), '');
  assert.equal(renderHistory([], THRESHOLDS, en), '');
  assert.equal(renderHistory(undefined, THRESHOLDS, en), '');
  assert.equal(renderHistory(days([null, 50, null]), THRESHOLDS, en), '', 'one scored day is no line');
});

test('nulls are gaps: the line breaks into runs of scored days', () => {
  const history = historySegments(days([60, 62, null, null, 50, 51, 52]));
  assert.deepEqual(
    history.segments.map((run) => run.map((point) => point.score)),
    [[60, 62], [50, 51, 52]],
  );
  assert.equal(history.hasGaps, true);
  const path = historyPath(history);
  assert.equal(path.split('M').length - 1, 2, 'two subpaths');
  assert.doesNotMatch(path, /L\S+ 61\.0/, 'nothing drawn at score 0 (y = 61)');
});

test('a lone scored day between gaps is a dot, not dropped', () => {
  const history = historySegments(days([60, null, 55, null, 50]));
  assert.match(historyPath(history), /M150\.0 \S+h0/);
});

test('x follows the calendar: a missing day keeps its place', () => {
  const history = historySegments([
    { date: '2026-09-01', score: 0 },
    { date: '2026-09-02', score: 100 },
    { date: '2026-09-11', score: 100 },
  ]);
  assert.equal(historyPath(history), 'M0.0 61.0 L30.0 3.0 L300.0 3.0');
});

test('out-of-order input is sorted by day', () => {
  const history = historySegments([
    { date: '2026-09-03', score: 10 },
    { date: '2026-09-01', score: 30 },
  ]);
  assert.equal(history.first.date, '2026-09-01');
  assert.equal(history.firstScore, 30);
  assert.equal(history.lastScore, 10);
});

test('the chart shows the thresholds as lines and labels, and a 0–100 scale', () => {
  const html = renderHistory(days([62, 58, 47, 38]), THRESHOLDS, en);
  assert.match(html, /<line class="history__threshold history__threshold--green" x1="0" x2="300" y1="20.4" y2="20.4">/);
  assert.match(html, /<line class="history__threshold history__threshold--red" x1="0" x2="300" y1="37.8" y2="37.8">/);
  assert.match(html, /history__tick--green" style="top:31.9%">70</);
  assert.match(html, /history__tick--red" style="top:59.1%">40</);
  assert.match(html, /history__tick--end" style="top:4.7%">100</);
  assert.match(html, /history__tick--end" style="top:95.3%">0</);
  assert.match(html, /<span>Sep 1<\/span><span>Sep 4<\/span>/);
  assert.match(
    html,
    /role="img" aria-label="Health score from Sep 1 to Sep 4: 62 to 38\. Green from 70, red below 40\."/,
  );
});

test('an end label too close to a threshold label is left out', () => {
  const html = renderHistory(days([50, 60]), { green: 95, red: 5 }, en);
  assert.doesNotMatch(html, /history__tick--end/);
});

test('gaps are mentioned to screen readers; German dates and words', () => {
  const html = renderHistory(days([62, null, 38]), THRESHOLDS, de);
  assert.match(html, /Verlauf des Scores/);
  assert.match(html, /aria-label="Health-Score vom 1\. Sept\. bis 3\. Sept\.: von 62 auf 38\. Grün ab 70, rot unter 40\. Lücken sind Tage ohne Score\."/);
});

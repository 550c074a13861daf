import assert from 'node:assert/strict';
import { test } from 'node:test';

import { translator } from '../assets/i18n.js';
import {
  renderComputing, renderGoal, renderKpi, renderProblem, renderReport, renderRing, renderSparkline,
  renderTrend,
} from '../assets/render.js';
import { NOW, healthReport } from './fixtures.mjs';

const en = translator('en');
const de = translator('de');

test('the card names the organization (escaped) and its phase', () => {
  const html = renderReport(healthReport(), en, NOW);
  assert.match(html, /Acme &lt;GmbH&gt;/);
  assert.doesNotMatch(html, /<GmbH>/);
  assert.match(html, />Adoption</);
});

test('the ring pairs the colour with a word and an accessible label', () => {
  const html = renderRing(63.4, 'yellow', en);
  assert.match(html, /score--yellow/);
  assert.match(html, />At risk</);
  assert.match(html, /role="img" aria-label="Health score 63 of 100: At risk"/);
  assert.match(html, /<svg class="score__ring" viewBox="0 0 80 80"/);
  assert.match(renderRing(80, 'green', en), />Healthy</);
  assert.match(renderRing(10, 'red', en), />Critical</);
});

test('a grey score says "No data" and draws no arc', () => {
  const html = renderRing(null, 'grey', en);
  assert.match(html, />No data</);
  assert.match(html, /stroke-dasharray="0.00 /);
  assert.match(html, /aria-label="Health score: no data"/);
});

test('KPI rows show the value in its unit and a bar coloured by the score', () => {
  const [balance, feedback] = healthReport().kpis;
  const row = renderKpi(balance, en);
  assert.match(row, /kpi--red/);
  assert.match(row, />Margin \u2212250\u202f%</);
  assert.match(row, /title="Based on 31 data points"/);
  assert.match(row, /aria-valuenow="0"/);
  const feedbackRow = renderKpi(feedback, en);
  assert.match(feedbackRow, />CSAT 86\u202f%</);
  assert.match(feedbackRow, /title="Based on 1 data point"/);
  assert.match(feedbackRow, /style="width:65%"/);
  assert.match(renderKpi({ key: 'touchpoints', value: 52, unit: '%', score: 30, colour: 'red' }, en), /One-touch 52/);
  assert.match(renderKpi({ key: 'sla', value: 91, unit: '%', score: 80, colour: 'green' }, de), /SLA erfüllt 91/);
});

test('a grey KPI says "not enough data" with its reason and has no bar', () => {
  const sla = healthReport().kpis[3];
  const row = renderKpi(sla, en);
  assert.match(row, /not enough data/);
  assert.match(row, /only 2 solved tickets with metrics/);
  assert.doesNotMatch(row, /kpi__bar/);
});

test('only the top two recommendations are shown, escaped', () => {
  const html = renderReport(healthReport(), en, NOW);
  assert.match(html, /Talk about the contract\./);
  assert.match(html, /Add a macro &lt;b&gt;now&lt;\/b&gt;\./);
  assert.doesNotMatch(html, /Third one/);
});

test('the goal says how many points are missing, or that it is reached', () => {
  assert.match(renderGoal({ target: 70, reached: false, gap: 6.6 }, en), /Goal 70 · 7 points to go/);
  assert.match(renderGoal({ target: 70, reached: false, gap: 0.6 }, en), /Goal 70 · 1 point to go/);
  assert.match(renderGoal({ target: 70, reached: true, gap: -3 }, en), /Goal reached/);
  assert.match(renderGoal({ target: 70, reached: false, gap: 3 }, de), /Ziel 70 · noch 3 Punkte/);
  assert.equal(renderGoal(null, en), '');
});

test('the trend shows an arrow with the 30-day delta and a sparkline', () => {
  const html = renderTrend(healthReport().trend, 90, en);
  assert.match(html, /▼ 4.1 in 30 days/);
  assert.match(html, /aria-label="Down 4.1 points in 30 days"/);
  assert.match(html, /<svg class="sparkline" viewBox="0 0 120 28"/);
  assert.match(html, /aria-label="Score over the last 90 days, from 70 to 63"/);
  assert.match(renderTrend({ delta_30d: 2.5, history: [] }, 90, en), /▲ 2.5/);
  assert.match(renderTrend({ delta_30d: null, history: [] }, 90, en), /No 30-day trend yet/);
});

test('the sparkline maps scores onto its height, higher scores higher up', () => {
  const html = renderSparkline([{ score: 0 }, { score: 100 }], 90, en);
  assert.match(html, /points="0.0,26.0 120.0,2.0"/);
  assert.equal(renderSparkline([{ score: 50 }], 90, en), '');
});

test('freshness: updated time ago, a refresh button, and the stale warning', () => {
  const fresh = renderReport(healthReport(), en, NOW);
  assert.match(fresh, /updated 4 min ago/);
  assert.match(fresh, /data-action="refresh"/);
  assert.doesNotMatch(fresh, /class="stale"/);
  const stale = renderReport(healthReport({ stale: true, stale_reason: 'Zendesk answered 503' }), en, NOW);
  assert.match(stale, /class="stale" role="alert"/);
  assert.match(stale, /Showing the last known result/);
  assert.match(stale, /Zendesk answered 503/);
});

test('the card is German for a German agent', () => {
  const html = renderReport(healthReport(), de, NOW);
  assert.match(html, /Gefährdet/);
  assert.match(html, /Marge \u2212250\u202f%/);
  assert.match(html, /aktualisiert vor 4 Min\./);
});

test('computing shows a progress bar with the counts', () => {
  const html = renderComputing({ fetched: 100, total: 400 }, en);
  assert.match(html, /role="progressbar"/);
  assert.match(html, /aria-valuenow="25"/);
  assert.match(html, /100 of 400 tickets read/);
  assert.match(renderComputing({}, en), /Reading tickets/);
});

test('unauthorized names the shared secret and shows the detail', () => {
  const html = renderProblem({ kind: 'unauthorized', detail: 'Signature verification failed' }, en);
  assert.match(html, /The backend refused this app&#39;s signature — check the shared secret/);
  assert.match(html, /Signature verification failed/);
  assert.match(html, /role="alert"/);
});

test('not configured names the missing setting', () => {
  const html = renderProblem({ kind: 'not-configured', setting: 'backend_url' }, en);
  assert.match(html, /App not configured/);
  assert.match(html, /“backend_url”/);
});

test('unreachable and unavailable offer a retry button', () => {
  assert.match(renderProblem({ kind: 'unreachable' }, en), /Backend unreachable[\s\S]*data-action="retry"/);
  assert.match(renderProblem({ kind: 'unavailable', detail: 'x' }, en), /Zendesk unavailable[\s\S]*data-action="retry"/);
  assert.match(renderProblem({ kind: 'error', status: 500 }, en), /HTTP 500/);
  assert.match(renderProblem({ kind: 'no-organization' }, en), /No organization/);
});

test('a grey KPI gives its reason in the agent language from the reason code', () => {
  const kpi = {
    key: 'feedback', value: null, unit: '%', score: null, colour: 'grey', sample_size: 2,
    detail: { reason: 'only 2 data points, fewer than the minimum of 3', reason_code: 'too_few_data_points', min_sample: 3 },
  };
  assert.match(renderKpi(kpi, de, 90), /Nur 2 Datenpunkte; mindestens 3 sind nötig\./);
  assert.match(renderKpi(kpi, en, 90), /Only 2 data points; at least 3 are needed\./);
  const revenue = { key: 'balance', value: null, colour: 'grey', sample_size: 40, detail: { reason_code: 'no_revenue', revenue_field: 'arr', reason: 'x' } };
  assert.match(renderKpi(revenue, de, 90), /Organisationsfeld „arr“/);
  const unknown = { key: 'sla', value: null, colour: 'grey', sample_size: 0, detail: { reason_code: 'from_the_future', reason: 'plain English reason' } };
  assert.match(renderKpi(unknown, de, 90), /plain English reason/);
});

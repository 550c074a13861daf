import assert from 'node:assert/strict';
import { test } from 'node:test';

import { translator } from '../assets/i18n.js';
import {
  drillReason, renderComputing, renderGoal, renderKpi, renderRecommendations, renderReport, renderRing,
  renderTrend,
} from '../assets/render.js';
import { NOW, healthReport } from './fixtures.mjs';

const en = translator('en');
const de = translator('de');

test('the card names the organization (escaped) and its phase, which explains itself', () => {
  const html = renderReport(healthReport(), en, NOW);
  assert.match(html, /Acme &lt;GmbH&gt;/);
  assert.doesNotMatch(html, /<GmbH>/);
  assert.match(html, /<span class="tag" title="Adoption: past onboarding, in their first year">/);
  assert.match(html, /<span class="sr-only">Lifecycle phase: <\/span><span aria-hidden="true">Adoption<\/span>/);
});

test('the ring pairs the colour with a word and an accessible label', () => {
  const html = renderRing(63.4, 'yellow', en);
  assert.match(html, /score--yellow/);
  assert.match(html, />At risk</);
  assert.match(html, /role="img" aria-label="Health score 63 of 100: At risk"/);
  assert.match(renderRing(80, 'green', en), />Healthy</);
  assert.match(renderRing(10, 'red', en), />Critical</);
});

test('a grey score says "No data" and draws no arc', () => {
  const html = renderRing(null, 'grey', en);
  assert.match(html, />No data</);
  assert.match(html, /stroke-dasharray="0.00 /);
  assert.match(html, /aria-label="Health score: no data"/);
});

test('the KPI bar is the value placed between its bad and good thresholds, labelled at both ends', () => {
  const feedback = healthReport().kpis[1]; // CSAT 86.2 %, bad 70 %, good 95 %, score 64.8
  const row = renderKpi(feedback, en);
  assert.match(row, />CSAT 86\u202f%</);
  assert.match(row, /style="width:65%"/);
  assert.match(row, /kpi__end--bad">bad 70\u202f%</);
  assert.match(row, /kpi__end--good">good 95\u202f%</);
  assert.match(row, /role="meter"[^>]*aria-valuenow="65"/);
  assert.match(row, /aria-label="Feedback score"/);
  assert.match(
    row,
    /aria-valuetext="CSAT 86\u202f%: score 65 of 100, At risk\. 70\u202f% scores 0, 95\u202f% scores 100\."/,
  );
});

test('a KPI says its colour in a word, not only in colour', () => {
  assert.match(renderKpi(healthReport().kpis[1], en), /<span class="kpi__name">Feedback <span class="kpi__word">At risk<\/span><\/span>/);
  assert.match(renderKpi(healthReport().kpis[0], de), /kpi__word">Kritisch</);
  assert.doesNotMatch(renderKpi(healthReport().kpis[3], en), /kpi__word/);
});

test('a value below its bad threshold draws an empty bar whose left end says why', () => {
  const kpi = {
    key: 'feedback', value: 57, unit: '%', score: 0, colour: 'red', weight: 2, sample_size: 9, detail: {},
    thresholds: { good: 95, bad: 70 }, tickets: [],
  };
  const row = renderKpi(kpi, en);
  assert.match(row, />CSAT 57\u202f%</);
  assert.match(row, /style="width:0%"/);
  assert.match(row, /bad 70\u202f%/);
  assert.match(row, /aria-valuetext="CSAT 57\u202f%: score 0 of 100, Critical\./);
});

test('a "lower is better" KPI keeps bad on the left and good on the right', () => {
  const kpi = {
    key: 'sla', value: 20, unit: '%', score: 75, colour: 'green', weight: 1, sample_size: 9, detail: {},
    thresholds: { good: 10, bad: 50 },
  };
  assert.match(renderKpi(kpi, en), /bad 50\u202f%<\/span><span class="kpi__end kpi__end--good">good 10\u202f%/);
});

test('German scale ends', () => {
  assert.match(renderKpi(healthReport().kpis[1], de), /schlecht 70\u202f%[\s\S]*gut 95\u202f%/);
});

test('a grey KPI says "not enough data" with its reason and has no bar', () => {
  const sla = healthReport().kpis[3];
  const row = renderKpi(sla, en);
  assert.match(row, /not enough data/);
  assert.match(row, /only 2 solved tickets with metrics/);
  assert.doesNotMatch(row, /kpi__bar/);
});

test('a KPI with weight 0 says it does not count', () => {
  const kpi = { ...healthReport().kpis[1], weight: 0 };
  assert.match(renderKpi(kpi, en), /Not counted in the score \(weight 0\)/);
  assert.doesNotMatch(renderKpi(healthReport().kpis[1], en), /Not counted/);
});

test('no tickets at all is said as such, not as "0 data points"', () => {
  const kpi = {
    key: 'balance', value: null, unit: '%', score: null, colour: 'grey', weight: 2, sample_size: 0,
    detail: { reason: 'no tickets in the window', reason_code: 'no_tickets' },
  };
  assert.match(renderKpi(kpi, en, 90), /No tickets in the last 90 days\./);
  assert.match(renderKpi(kpi, de, 90), /Keine Tickets in den letzten 90 Tagen\./);
});

test('a yellow or red KPI lists the tickets pulling it down, each a button opening it', () => {
  const row = renderKpi(healthReport().kpis[2], en); // touchpoints, red
  assert.match(row, /Tickets pulling it down/);
  assert.match(
    row,
    /<button type="button" class="link" data-action="open-ticket" data-ticket-id="702" aria-label="Open ticket #702">#702<\/button> <span class="kpi__ticket-reason">6 agent replies<\/span>/,
  );
  assert.ok(row.indexOf('#702') < row.indexOf('#701'), 'worst first, as the backend ordered them');
});

test('green and grey KPIs list no tickets, even if some were sent', () => {
  const kpi = { ...healthReport().kpis[1], colour: 'green' };
  assert.doesNotMatch(renderKpi(kpi, en), /open-ticket/);
  assert.doesNotMatch(renderKpi(healthReport().kpis[3], en), /open-ticket/);
});

test('ticket ids that are not positive integers are never rendered', () => {
  const kpi = {
    ...healthReport().kpis[1],
    tickets: [{ id: '"><img src=x>', reason: 'bad_rating' }, { id: -3, reason: 'bad_rating' }, { id: 5, reason: 'bad_rating' }],
  };
  const row = renderKpi(kpi, en);
  assert.doesNotMatch(row, /<img/);
  assert.deepEqual([...row.matchAll(/data-ticket-id="(\d+)"/g)].map((m) => m[1]), ['5']);
});

test('each drill-down reason in words', () => {
  assert.equal(drillReason({ reason: 'bad_rating' }, en), 'bad rating');
  assert.equal(drillReason({ reason: 'many_replies', value: 6 }, en), '6 agent replies');
  assert.equal(
    drillReason({ reason: 'missed_first_reply', value: 570, target: 240 }, en),
    'first reply after 9.5 h (target 4 h)',
  );
  assert.equal(
    drillReason({ reason: 'missed_resolution', value: 3120, target: 2880 }, en),
    'solved after 52 h (target 48 h)',
  );
  assert.equal(drillReason({ reason: 'missed_first_reply', value: 45, target: 30 }, en), 'first reply after 45 min (target 30 min)');
  assert.equal(drillReason({ reason: 'high_handle_time', value: 3.5 }, en), '3.5 h handle time');
  assert.equal(drillReason({ reason: 'high_handle_time', value: 3.5 }, de), '3,5 Std. Bearbeitungszeit');
  assert.equal(drillReason({ reason: 'missed_resolution', value: 90, target: 60 }, de), 'gelöst nach 1,5 Std. (Ziel 1 Std.)');
  assert.equal(drillReason({ reason: 'from_the_future' }, en), '');
});

test('two recommendations are shown; the card says how many more there are and shows them on demand', () => {
  const recommendations = healthReport().recommendations;
  const folded = renderRecommendations(recommendations, en, {});
  assert.match(folded, /Talk about the contract\./);
  assert.match(folded, /Add a macro &lt;b&gt;now&lt;\/b&gt;\./);
  assert.doesNotMatch(folded, /Third one/);
  assert.match(folded, /data-action="more-recommendations" aria-expanded="false"[^>]*>Show 1 more recommendation</);
  const open = renderRecommendations(recommendations, en, { allRecommendations: true });
  assert.match(open, /Third one, never shown\./);
  assert.match(open, /aria-expanded="true"[^>]*>Show fewer recommendations</);
  const many = [...recommendations, { kpi: 'sla', colour: 'red', text: 'Fourth' }];
  assert.match(renderRecommendations(many, en, {}), />Show 2 more recommendations</);
  assert.match(renderRecommendations(many, de, {}), />2 weitere Empfehlungen anzeigen</);
  assert.doesNotMatch(renderRecommendations(recommendations.slice(0, 2), en, {}), /more-recommendations/);
});

test('the goal says how many points are missing, or that it is reached', () => {
  assert.match(renderGoal({ target: 70, reached: false, gap: 6.6 }, en), /Goal 70 · 7 points to go/);
  assert.match(renderGoal({ target: 70, reached: false, gap: 0.6 }, en), /Goal 70 · 1 point to go/);
  assert.match(renderGoal({ target: 70, reached: true, gap: -3 }, en), /Goal reached/);
  assert.match(renderGoal({ target: 70, reached: false, gap: 3 }, de), /Ziel 70 · noch 3 Punkte/);
  assert.equal(renderGoal(null, en), '');
});

test('the trend shows an arrow with the 30-day delta', () => {
  const html = renderTrend(healthReport().trend, en);
  assert.match(html, /▼ 4.1 in 30 days/);
  assert.match(html, /aria-label="Down 4.1 points in 30 days"/);
  assert.match(renderTrend({ delta_30d: 2.5 }, en), /▲ 2.5/);
  assert.match(renderTrend({ delta_30d: null }, en), /No 30-day trend yet/);
  assert.match(renderTrend({ delta_30d: 0.01 }, de), /seit 30 Tagen unverändert/);
});

test('a recommendation names its KPI on a line of its own, with a colon for screen readers', () => {
  const html = renderRecommendations([{ kpi: 'sla', colour: 'red', text: 'SLA targets are being missed.' }], en, {});
  assert.match(html, /<span class="recommendation__kpi">SLA<span class="sr-only">:<\/span><\/span> SLA targets are being missed\./);
});

test('the card has the history chart', () => {
  assert.match(renderReport(healthReport(), en, NOW), /<figure class="history">/);
});

test('freshness: updated time ago and a Refresh button whose name is its visible word', () => {
  const fresh = renderReport(healthReport(), en, NOW);
  assert.match(fresh, /updated 4 min ago/);
  assert.match(
    fresh,
    /<button type="button" class="btn" data-action="refresh" title="Recompute the health score now">Refresh<\/button>/,
  );
  assert.doesNotMatch(fresh, /aria-label="Recompute/);
  assert.doesNotMatch(fresh, /class="stale"/);
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

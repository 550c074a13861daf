import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { translator } from '../assets/i18n.js';
import { renderDistribution, renderHistogram, renderHistory } from '../assets/portfolio-charts.js';
import { histogram, settingsInForce, shares } from '../assets/portfolio-model.js';
import {
  CHANGES_LIMIT, renderBacktest, renderDetail, renderFocus, renderPageProblem, renderSyncStatus,
  renderTableControls, renderTableRows, renderWhatIfActions, renderWhatIfControls,
  renderWhatIfResult,
} from '../assets/portfolio-render.js';
import { renderProblem } from '../assets/render.js';
import { UI_STRINGS } from '../assets/ui-strings.js';
import { NOW } from './fixtures.mjs';
import {
  backtestAnswer, detailReport, firstSync, idleSync, organization, portfolioAnswer, previewAnswer,
} from './portfolio-fixtures.mjs';

const en = translator('en');
const de = translator('de');
const AGENT = { isAdmin: false };
const ADMIN = { isAdmin: true };
const problem = (status, code, detail) => ({ kind: 'problem', status, code, detail });

function whatif(candidateChanges = {}, extra = {}) {
  const current = settingsInForce({}, { green: 70, red: 40 });
  const candidate = { ...current, weights: { ...current.weights }, ...candidateChanges };
  return { current, candidate, calibration: null, preview: null, ...extra };
}

test('distribution bars are as wide as their shares; the table gives every figure', () => {
  const html = renderDistribution(
    [
      { key: 'now', label: 'Now', shares: shares({ green: 1, yellow: 2, red: 1, grey: 5 }) },
      { key: 'target', label: 'Target', shares: { percent: { green: 20, yellow: 60, red: 20 } } },
    ],
    en,
  );
  assert.match(html, /<svg class="chart distribution__chart" viewBox="0 0 400 54" aria-hidden="true"/);
  // 312 px of bar: 25 % → 78 px, 50 % → 156 px; the target's 20/60/20 → 62.4/187.2/62.4.
  assert.match(html, /class="bar bar--green" x="88.0" y="0" width="78.0"/);
  assert.match(html, /class="bar bar--yellow" x="166.0" y="0" width="156.0"/);
  assert.match(html, /class="bar bar--green" x="88.0" y="32" width="62.4"/);
  assert.match(html, /class="bar bar--red" x="337.6" y="32" width="62.4"/);
  assert.match(html, /<th scope="row"><span class="swatch swatch--yellow" aria-hidden="true"><\/span>At risk<\/th><td>2 \(50\u202f%\)<\/td><td>60\u202f%<\/td>/);
});

test('a segment too narrow for its label has none', () => {
  const html = renderDistribution([{ key: 'now', label: 'Now', shares: shares({ green: 1, yellow: 99, red: 0 }) }], en);
  assert.doesNotMatch(html, />1\u202f%</);
  assert.match(html, />99\u202f%</);
});

test('the histogram draws the thresholds in force and lists every band for screen readers', () => {
  const html = renderHistogram(histogram([5, 15, 15, 95]), { green: 72.5, red: 40 }, en);
  assert.match(html, /<svg class="chart histogram__chart" viewBox="0 0 400 160" aria-hidden="true"/);
  assert.match(html, /class="threshold threshold--green" x1="290.0" x2="290.0"/);
  assert.match(html, /class="threshold threshold--red" x1="160.0"/);
  assert.match(html, /<table class="visually-hidden">/);
  assert.match(html, /<tr><th scope="row">10–20<\/th><td>2<\/td><\/tr>/);
  assert.equal((html.match(/<tr><th scope="row">/g) || []).length, 10);
  // The tallest band fills the plot (110 px under a 30 px margin); one organization is half.
  assert.match(html, /class="histogram__bar" x="41.0" y="30.0" width="38.0" height="110.0"/);
  assert.match(html, /class="histogram__bar" x="1.0" y="85.0" width="38.0" height="55.0"/);
  // Green right of its line on the first row, red on the second: they never overlap.
  assert.match(html, /threshold__label--green" x="290.0" dx="-4" y="10" text-anchor="end">healthy from 72.5</);
  assert.match(html, /threshold__label--red" x="160.0" dx="4" y="22" text-anchor="start">critical below 40</);
});

test('the history chart says what it shows; fewer than two days say there is none', () => {
  const history = [
    { date: '2026-10-01', score: 40 },
    { date: '2026-10-15', score: 80 },
    { date: '2026-11-01', score: 60.4 },
  ];
  const html = renderHistory(history, { green: 70, red: 40 }, de);
  // A plot of 124 px under a 16 px margin: score s sits at 140 − 1.24 s.
  assert.match(html, /role="img" aria-label="Score über 3 Tage: 40 am 1\. Okt\., 60 am 1\. Nov\.; niedrigster 40, höchster 80"/);
  assert.match(html, /<polyline class="history__line" points="0.0,90.4 280.0,40.8 560.0,65.1">/);
  assert.match(renderHistory([{ date: '2026-11-01', score: 50 }], null, en), /No history yet/);
});

test('sync status: progress of the first sync, a failing sync, nothing when idle', () => {
  assert.equal(renderSyncStatus(idleSync(), en), '');
  assert.equal(renderSyncStatus(idleSync({ state: 'running', phase: 'incremental' }), en), '');
  assert.match(renderSyncStatus(firstSync(), de), /42\u202f% · 5\.200 Tickets · 2 Organisationen · noch etwa 4 Min\./);
  const unknown = renderSyncStatus(firstSync({ progress: null, eta_seconds: null }), en);
  assert.match(unknown, /progress--indeterminate/);
  assert.match(unknown, /5,200 tickets · 2 organizations read/);
  assert.match(renderSyncStatus(idleSync({ state: 'never' }), en), /Waiting for the first sync/);
  const failing = idleSync({ state: 'failing', last_error: '<b>boom</b>' });
  const admin = renderSyncStatus(failing, en, ADMIN);
  assert.match(admin, /role="alert"/);
  assert.match(admin, /the backend keeps retrying on its own/);
  assert.match(admin, /Technical detail \(only admins see this\):<\/span> <code>&lt;b&gt;boom&lt;\/b&gt;<\/code>/);
  assert.doesNotMatch(renderSyncStatus(failing, en, AGENT), /boom/, 'agents: no plumbing');
});

test('a failing sync that says why is worded like the card\'s stale note', () => {
  const sync = idleSync({ state: 'failing', last_error: 'Zendesk answered 401', last_error_code: 'zendesk_credentials' });
  const html = renderSyncStatus(sync, en, AGENT);
  assert.match(html, /The account sync is failing\./);
  assert.match(html, /Ask the backend&#39;s operator to renew its Zendesk API credentials/);
  assert.doesNotMatch(html, /keeps retrying/, 'retrying does not help with refused credentials');
  const unknown = renderSyncStatus({ ...sync, last_error_code: 'brand_new' }, en, AGENT);
  assert.match(unknown, /the backend keeps retrying on its own/);
});

test('table rows: goal, trend, potential and churn in words; names escaped', () => {
  const html = renderTableRows(
    {
      status: 'ok', sort: 'score', shown: 10, pageSize: 10,
      organizations: [
        organization({ name: '<script>x</script>', delta_30d: 0.01, potential: 0 }),
        organization({ id: 9, churned: true, goal: { target: 70, reached: true, gap: -3 } }),
      ],
    },
    en,
  );
  assert.doesNotMatch(html, /<script>/);
  assert.match(html, /&lt;script&gt;x&lt;\/script&gt;/);
  assert.match(html, /<span class="delta delta--flat">unchanged<\/span>/);
  assert.match(html, /<td>70 · 7 to go<\/td>/);
  assert.match(html, /<td>70 · reached<\/td>/);
  assert.match(html, /<span class="tag">churned<\/span>/);
  assert.match(html, /<td class="num">–<\/td><\/tr>/, 'no potential, no plus');
  assert.match(html, /aria-sort="ascending" class="num"><button type="button" class="sort" data-action="sort" data-sort="score">/);
  assert.equal((html.match(/<th scope="col" aria-sort="/g) || []).length, 7);
});

test('a failed table request keeps the page and offers its own retry', () => {
  const html = renderTableRows(
    { status: 'failed', outcome: problem(422, 'invalid_request', 'sort: unknown field') },
    en,
    ADMIN,
  );
  assert.match(html, /data-state="problem" data-code="invalid_request"/);
  assert.match(html, /Request not accepted/);
  assert.match(html, /<code>sort: unknown field<\/code>/);
  assert.match(html, /data-action="reload-table"/);
  assert.doesNotMatch(html, /data-action="retry"/, 'the table asks again, not the whole page');
});

test('the focus list: gap, goal, potential and the weakest KPI; the rest counted', () => {
  const html = renderFocus(portfolioAnswer(), en);
  assert.match(html, /<ol class="focus">/);
  assert.ok(html.indexOf('Initech') < html.indexOf('Acme'), 'in the order of `focus`');
  assert.match(html, /39 points to the goal of 70 · \+20.4 if Balance turns green/);
  const many = portfolioAnswer({
    organizations: Array.from({ length: 12 }, (_, i) => organization({ id: i + 1 })),
    focus: Array.from({ length: 12 }, (_, i) => i + 1),
  });
  assert.match(renderFocus(many, en), /4 more below their goal/);
  assert.match(renderFocus(portfolioAnswer({ focus: [] }), de), /Alle bewerteten Organisationen haben ihr Ziel erreicht/);
});

test('the backtest: AUC and lift in the locale, the counts behind them, always the warning', () => {
  const html = renderBacktest({ kind: 'ok', body: backtestAnswer() }, 'churned', de);
  assert.match(html, /AUC 0,84/);
  assert.match(html, /gut erkannt/);
  assert.match(html, /Top-Dezil-Lift 2,5×: Von den 10\u202f% mit den niedrigsten Scores \(6 Organisationen\) sind 3 abgewandert/);
  assert.match(html, /Basierend auf 9 abgewanderten und 43 gebliebenen Organisationen/);
  assert.match(html, /Auch ein grüner Kunde kann abwandern/);
  const none = renderBacktest({ kind: 'ok', body: backtestAnswer({ auc: null, top_decile_lift: null }) }, 'lost', en);
  assert.match(none, /tag “lost”/);
  assert.match(none, /A green customer can still churn/);
});

test('weights offer none to high; a weight in force outside them is kept and named', () => {
  const state = whatif();
  state.candidate.weights.feedback = 1.5;
  const html = renderWhatIfControls(state, en);
  assert.match(html, /<select data-weight="sla"><option value="0">none<\/option><option value="1">low<\/option><option value="2">medium<\/option><option value="3" selected>high<\/option><\/select>/);
  assert.match(html, /<option value="1.5" selected>1.5 \(in force\)<\/option>/);
  assert.match(html, /<label class="field"><span class="field__label">Green from score<\/span><input type="number"[^>]* data-threshold="green" value="70">/);
  assert.match(renderWhatIfControls(state, de), /<span class="field__label">Grün ab Score<\/span>/);
});

test('the what-if answer: distribution now, what-if and target; backend warnings; more changes', () => {
  const changes = Array.from({ length: CHANGES_LIMIT + 3 }, (_, i) => ({
    id: i, name: `Org ${i}`, from: 'yellow', to: 'red', score: 30, previous_score: 45,
  }));
  const state = whatif({ green: 80 }, {
    preview: { status: 'done', outcome: { kind: 'ok', body: previewAnswer({ changes, settings_warnings: ['red_threshold <b>90</b> ignored'] }) } },
  });
  const html = renderWhatIfResult(state, { green: 1, yellow: 1, red: 1, grey: 1 }, en);
  assert.match(html, /<th scope="col">Now<\/th><th scope="col">What-if<\/th><th scope="col">Target<\/th>/);
  assert.match(html, /red_threshold &lt;b&gt;90&lt;\/b&gt; ignored/);
  assert.match(html, /and 3 more/);
  assert.equal((html.match(/class="change"/g) || []).length, CHANGES_LIMIT);
  assert.match(html, /score 30 \(now 45\)/);
  assert.match(html, /<tr data-setting="green_threshold"><th scope="row">Green from score<\/th><td>70<\/td><td><code>80<\/code><\/td><\/tr>/);
});

test('a refused candidate shows the backend\'s reason, and still what to enter', () => {
  const state = whatif({ green: 80 }, {
    preview: { status: 'done', outcome: problem(422, 'invalid_request', 'green_threshold: not a number') },
  });
  const html = renderWhatIfResult(state, { green: 1 }, en, ADMIN);
  assert.match(html, /These settings could not be tried\. The backend didn&#39;t accept this app&#39;s request\./);
  assert.match(html, /<code>green_threshold: not a number<\/code>/);
  assert.match(html, /data-enter/);
  assert.doesNotMatch(renderWhatIfResult(state, { green: 1 }, en, AGENT), /not a number/);
});

test('calibration results: exact, inexact with a note, empty, failed', () => {
  const state = whatif({}, { calibration: { kind: 'ok', body: { green_threshold: 71.2, red_threshold: 38.5, shares: { green: 20, yellow: 60, red: 20 }, organizations: 52, exact: true, note: null } } });
  assert.match(renderWhatIfActions(state, en), /data-calibration="exact">Calibrated over 52 scored organizations: 20\u202f% healthy/);
  state.calibration = problem(503, 'database_unavailable', 'OperationalError');
  const failed = renderWhatIfActions(state, en, AGENT);
  assert.match(failed, /The calibration could not be loaded\. The backend&#39;s database isn&#39;t answering\. Try again in a minute/);
  assert.doesNotMatch(failed, /OperationalError/);
});

test('a failed backtest or CSV download says what failed and who acts, in the card\'s words', () => {
  const backtest = renderBacktest(problem(503, 'zendesk_credentials', 'Zendesk answered 401'), 'churned', de, AGENT);
  assert.match(backtest, /Der Backtest konnte nicht geladen werden\. Zendesk hat die API-Zugangsdaten des Backends abgelehnt/);
  assert.match(backtest, /Auch ein grüner Kunde kann abwandern/);
  assert.doesNotMatch(backtest, /answered 401/);
  const csv = renderTableControls({ filters: {}, csvProblem: problem(0, 'backend_unreachable', null) }, en, ADMIN);
  assert.match(csv, /class="field-problem" role="alert">The CSV file could not be downloaded\. The Customer Health backend didn&#39;t answer/);
});

test('the detail: back and Zendesk buttons, a focusable title, the sidebar card', () => {
  const html = renderDetail({ id: 42, name: 'Acme <GmbH>', status: 'report', report: detailReport() }, { green: 70, red: 40 }, en, NOW);
  assert.match(html, /data-action="back"/);
  assert.match(html, /data-action="zendesk">Open in Zendesk</);
  assert.match(html, /<h2 class="detail__title" id="detail-title" tabindex="-1">Acme &lt;GmbH&gt;<\/h2>/);
  assert.match(html, /<article class="card" data-state="report"/);
  assert.match(html, /What moved the score in 30 days/);
  const none = renderDetail({ id: 42, name: 'A', status: 'report', report: detailReport({ trend: { delta_30d: null, history: [] } }) }, null, en, NOW);
  assert.match(none, /No 30-day comparison yet/);
});

// The codes of docs/api.md "Errors", read from the contract itself.
const API_CODES = [...readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8')
  .matchAll(/^\| \d{3} \| `([a-z_]+)` \|/gm)].map((match) => match[1]);

test('the page words every error code of docs/api.md exactly as the card does, in both languages', () => {
  assert.ok(API_CODES.length >= 12, API_CODES.join());
  for (const t of [en, de]) {
    for (const code of API_CODES) {
      const failure = problem(503, code, 'technical');
      const page = renderPageProblem(failure, t, AGENT);
      assert.equal(page, renderProblem(failure, t, AGENT), `${t.language} ${code}`);
      const title = page.match(/<h2 class="message__title">([^<]*)</)[1];
      assert.notEqual(title, `error_${code}_title`, `${t.language} ${code} has a title of its own`);
      assert.match(page, /<p class="message__body">[^<]{20,}</, `${t.language} ${code} says who acts`);
    }
  }
});

test('the page has no error wording of its own: one set for the whole app', () => {
  for (const language of ['en', 'de']) {
    const own = Object.keys(UI_STRINGS[language]).filter((key) => /^portfolio\.error/.test(key) || /^(unauthorized|unavailable|unreachable|error)_(title|body)$/.test(key));
    assert.deepEqual(own, [], language);
  }
});

test('every portfolio string exists in German too, with the same placeholders', () => {
  const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  const keys = Object.keys(UI_STRINGS.en).filter((key) => key.startsWith('portfolio.'));
  assert.ok(keys.length > 100);
  for (const key of keys) {
    assert.equal(typeof UI_STRINGS.de[key], 'string', key);
    assert.deepEqual(placeholders(UI_STRINGS.de[key]), placeholders(UI_STRINGS.en[key]), key);
  }
});

test('German speaks to admins with "Sie", never "du"', () => {
  const german = Object.entries(UI_STRINGS.de).filter(([key]) => key.startsWith('portfolio.'));
  for (const [key, text] of german) {
    assert.doesNotMatch(text, /\b(du|dein|deine|deinen|dich|dir)\b/i, key);
  }
  assert.ok(german.some(([, text]) => /\bSie\b/.test(text)));
});

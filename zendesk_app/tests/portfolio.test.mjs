import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  CSV_FILENAME, DETAIL_POLL_MS, PAGE_SIZE, PREVIEW_DEBOUNCE_MS, REFRESHING_POLLS, SYNC_POLL_MS,
  bindPortfolio, createPortfolio,
} from '../assets/portfolio.js';
import { NOW, fakeTimers, settle, stubRoot } from './fixtures.mjs';
import {
  backtestAnswer, calibrationAnswer, detailReport, emptyPortfolio, failure, firstSync, gate,
  idleSync, organization, portfolioAnswer, previewAnswer, routedClient, stubView,
} from './portfolio-fixtures.mjs';

const PORTFOLIO = 'GET /api/v1/portfolio';
const BACKTEST = 'GET /api/v1/backtest';
const PREVIEW = 'POST /api/v1/preview';
const CALIBRATION = 'GET /api/v1/calibration';
const SYNC = 'GET /api/v1/sync';
const HEALTH = 'GET /api/v1/organizations/42/health';

function setup({ routes = {}, ...clientOptions } = {}) {
  const logged = [];
  const client = routedClient({
    routes: {
      [PORTFOLIO]: [{ resolve: portfolioAnswer() }],
      [BACKTEST]: [{ resolve: backtestAnswer() }],
      ...routes,
    },
    ...clientOptions,
  });
  const view = stubView();
  const timers = fakeTimers();
  const page = createPortfolio(client, {
    view, setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout, now: () => NOW,
    log: (message) => logged.push(message),
  });
  return { client, view, timers, page, logged };
}

const query = (options) => new URL(options.url).search;

test('a loaded portfolio fills every region; portfolio and backtest are asked at once', async () => {
  const { client, view, page } = setup();
  await page.start();
  assert.equal(page.state, 'ready');
  assert.deepEqual(client.requests.map((options) => `${options.type} ${options.url}`), [
    'GET https://health.example.com/api/v1/portfolio?sort=score',
    'GET https://health.example.com/api/v1/backtest',
  ]);
  for (const region of ['header', 'status', 'distribution', 'histogram', 'backtest', 'focus',
    'whatif-controls', 'whatif-actions', 'whatif-result', 'table-controls', 'table-rows']) {
    assert.ok(region in view.regions, region);
  }
  assert.match(view.regions.page, /data-view="detail" hidden/);
  assert.match(view.regions.header, /4 organizations · data as of 4 min ago/);
  assert.match(view.regions.distribution, /<td>1 \(33\u202f%\)<\/td>/);
  assert.match(view.regions.distribution, /1 without enough data/);
  assert.match(view.regions.backtest, /AUC 0.84/);
  assert.match(view.regions['table-rows'], /Acme &lt;GmbH&gt;/);
  assert.match(view.regions['whatif-result'], /These are the settings in force/);
});

test('every call is signed exactly like the sidebar\'s (DESIGN §3)', async () => {
  const { client, page } = setup();
  await page.start();
  for (const options of client.requests) {
    assert.equal(options.secure, true);
    assert.equal(options.headers.Authorization, 'Bearer {{jwt.token}}');
    assert.equal(options.jwt.secret_key, '{{setting.shared_secret}}');
    const { iat, exp, ...claims } = options.jwt.claims;
    assert.deepEqual(claims, { iss: 'acme', aud: 'customer-health', installation_id: 9001, sub: '555' });
    assert.equal(exp - iat, 3600);
  }
});

test('the first sync with nothing scored: the page is its progress, polled until done', async () => {
  const { client, view, page, timers } = setup({
    routes: {
      [PORTFOLIO]: [{ resolve: emptyPortfolio({ sync: firstSync() }) }, { resolve: portfolioAnswer() }],
      [SYNC]: [{ resolve: firstSync({ progress: 0.8, eta_seconds: 30 }) }, { resolve: idleSync() }],
    },
  });
  await page.start();
  assert.equal(page.state, 'syncing');
  assert.match(view.regions.page, /aria-valuenow="42"/);
  assert.match(view.regions.page, /42\u202f% · 5,200 tickets · 2 organizations · about 4 min left/);
  assert.deepEqual(timers.runAll(), [SYNC_POLL_MS]);
  await settle();
  assert.equal(page.state, 'syncing');
  assert.match(view.regions.page, /aria-valuenow="80"/);
  assert.match(view.regions.page, /less than a minute left/);
  timers.runAll();
  await settle();
  assert.equal(page.state, 'ready', 'the finished sync reloads the portfolio');
  assert.equal(client.sent(SYNC).length, 2);
  assert.equal(client.sent(PORTFOLIO).length, 2);
  assert.equal(timers.pending.size, 0, 'no more polling');
});

test('a first sync that already scored some: the page with a progress banner', async () => {
  const { view, page, timers } = setup({
    routes: { [PORTFOLIO]: [{ resolve: portfolioAnswer({ sync: firstSync() }) }], [SYNC]: [{ resolve: firstSync() }] },
  });
  await page.start();
  assert.equal(page.state, 'ready');
  assert.match(view.regions.status, /data-sync="first"/);
  assert.deepEqual([...timers.pending.values()].map((timer) => timer.ms), [SYNC_POLL_MS]);
});

test('an account without organizations is empty, not an error', async () => {
  const { view, page, timers } = setup({ routes: { [PORTFOLIO]: [{ resolve: emptyPortfolio() }] } });
  await page.start();
  assert.equal(page.state, 'empty');
  assert.match(view.regions.page, /No organizations yet/);
  assert.doesNotMatch(view.regions.page, /role="alert"/);
  assert.equal(timers.pending.size, 0);
});

test('a failing sync is shown above the page with its error', async () => {
  const sync = idleSync({ state: 'failing', last_error: 'Zendesk answered 503' });
  const { view, page } = setup({ routes: { [PORTFOLIO]: [{ resolve: portfolioAnswer({ sync }) }] } });
  await page.start();
  assert.match(view.regions.status, /The account sync is failing/);
  assert.match(view.regions.status, /Zendesk answered 503/);
});

test('errors are worded by their code like the card\'s; unknown codes by their status', async () => {
  const cases = [
    [failure(503, 'Zendesk answered 429', 'zendesk_rate_limited'), 'zendesk_rate_limited', /Zendesk is busy/],
    [failure(401, 'Signature verification failed', 'invalid_token'), 'invalid_token', /Connection not trusted/],
    [failure(503, 'no credentials', 'zendesk_not_configured'), 'zendesk_not_configured', /The backend isn&#39;t connected to Zendesk/],
    [failure(503, 'Zendesk answered 401', 'zendesk_credentials'), 'zendesk_credentials', /Ask the backend&#39;s operator to renew them/],
    [failure(503, 'db down', 'database_unavailable'), 'database_unavailable', /Backend temporarily unavailable/],
    [failure(401, 'bad', 'something_new'), 'invalid_token', /Connection not trusted/],
    [{ reject: { status: 0, responseText: '' } }, 'backend_unreachable', /Backend unreachable/],
    [{ resolve: { organizations: 'many' } }, 'internal_error', /Something went wrong/],
  ];
  for (const [answer, code, words] of cases) {
    const { view, page } = setup({ routes: { [PORTFOLIO]: [answer] } });
    await page.start();
    assert.equal(page.state, 'problem');
    assert.match(view.regions.page, new RegExp(`data-state="problem" data-code="${code}"`));
    assert.match(view.regions.page, words);
    assert.match(view.regions.page, /data-action="retry"/);
  }
});

test('admins see the backend\'s detail; agents only the sentence; the log has it', async () => {
  const answer = failure(503, 'GET /api/v2/apps/installations.json answered 401', 'zendesk_credentials');
  const admin = setup({ routes: { [PORTFOLIO]: [answer] } });
  await admin.page.start();
  assert.match(admin.view.regions.page, /Technical detail \(only admins see this\):<\/span> <code>GET \/api\/v2\/apps/);
  assert.deepEqual(admin.logged, ['Customer Health: zendesk_credentials (HTTP 503): GET /api/v2/apps/installations.json answered 401']);
  const agent = setup({ role: 'agent', routes: { [PORTFOLIO]: [answer] } });
  await agent.page.start();
  assert.doesNotMatch(agent.view.regions.page, /api\/v2|message__detail/);
  assert.equal(agent.logged.length, 1);
});

test('retry loads the page again', async () => {
  const { view, page } = setup({
    routes: { [PORTFOLIO]: [failure(503, 'db down', 'database_unavailable'), { resolve: portfolioAnswer() }] },
  });
  await page.start();
  assert.equal(page.state, 'problem');
  assert.match(view.regions.page, /data-code="database_unavailable"/);
  await page.act('retry');
  assert.equal(page.state, 'ready');
});

test('no backend_url: not configured, names the setting by its label, asks nothing', async () => {
  const { client, view, page } = setup({ settings: {} });
  await page.start();
  assert.equal(page.state, 'problem');
  assert.match(view.regions.page, /data-state="problem" data-code="not_configured"/);
  assert.match(view.regions.page, /fill in “Backend URL” in the settings/);
  assert.doesNotMatch(view.regions.page, /data-action="retry"/, 'a calm state: nothing to retry');
  assert.equal(client.requests.length, 0);
});

test('a failing backtest leaves the rest of the page; an empty one names the churn tag', async () => {
  const broken = setup({ routes: { [BACKTEST]: [failure(503, 'down', 'database_unavailable')] } });
  await broken.page.start();
  assert.equal(broken.page.state, 'ready');
  assert.match(broken.view.regions.backtest, /could not be loaded/);
  assert.match(broken.view.regions.backtest, /A green customer can still churn/);
  const empty = setup({
    routes: { [BACKTEST]: [{ resolve: backtestAnswer({ auc: null, top_decile_lift: null, churned: 0 }) }] },
  });
  await empty.page.start();
  assert.match(empty.view.regions.backtest, /organization tag “lost”/);
});

test('filters ask the backend; the latest answer wins', async () => {
  const late = gate();
  const { client, view, page } = setup({
    routes: {
      [PORTFOLIO]: [
        { resolve: portfolioAnswer() },
        { wait: late.promise, resolve: portfolioAnswer({ organizations: [organization({ name: 'Stale' })] }) },
        { resolve: portfolioAnswer({ organizations: [organization({ id: 9, name: 'Initech', colour: 'red' })] }) },
      ],
    },
  });
  await page.start();
  page.setFilter('colour', 'yellow');
  page.setFilter('colour', 'red');
  await settle();
  late.open();
  await settle();
  const asked = client.sent(PORTFOLIO).map(query);
  assert.deepEqual(asked, ['?sort=score', '?colour=yellow&sort=score', '?colour=red&sort=score']);
  assert.match(view.regions['table-rows'], /Initech/);
  assert.doesNotMatch(view.regions['table-rows'], /Stale/);
});

test('a header click sorts by its column, a second one reverses; focus stays on it', async () => {
  const { client, view, page } = setup();
  await page.start();
  await page.act('sort', { sort: 'score' });
  assert.equal(query(client.sent(PORTFOLIO).at(-1)), '?sort=-score');
  assert.match(view.regions['table-rows'], /aria-sort="descending" class="num"><button type="button" class="sort" data-action="sort" data-sort="score">Score<span aria-hidden="true"> ▼/);
  await page.act('sort', { sort: 'potential' });
  assert.equal(query(client.sent(PORTFOLIO).at(-1)), '?sort=potential');
  assert.deepEqual(view.focused.slice(-1), ['[data-sort="potential"]']);
});

test('more rows on demand, focus on the first new one', async () => {
  const many = Array.from({ length: PAGE_SIZE + 5 }, (_, index) => organization({ id: index + 1, name: `Org ${index + 1}` }));
  const { view, page } = setup({ routes: { [PORTFOLIO]: [{ resolve: portfolioAnswer({ organizations: many }) }] } });
  await page.start();
  assert.match(view.regions['table-rows'], new RegExp(`Showing ${PAGE_SIZE} of ${PAGE_SIZE + 5}`));
  assert.match(view.regions['table-rows'], /Show 5 more/);
  page.act('more');
  assert.match(view.regions['table-rows'], /Showing 105 of 105/);
  assert.deepEqual(view.focused.at(-1), `.portfolio-table tbody tr:nth-child(${PAGE_SIZE + 1}) [data-action="open"]`);
});

test('CSV: the same filters and sort with format=csv, handed to the browser as a file', async () => {
  const csv = 'id,name,score\n42,Acme,63.4\n';
  const { client, view, page } = setup({
    routes: { [PORTFOLIO]: [{ resolve: portfolioAnswer() }, { resolve: portfolioAnswer() }, { resolve: csv }] },
  });
  await page.start();
  page.setFilter('goal', 'missed');
  await settle();
  await page.act('csv');
  const request = client.sent(PORTFOLIO).at(-1);
  assert.equal(query(request), '?goal=missed&sort=score&format=csv');
  assert.equal(request.dataType, 'text');
  assert.deepEqual(view.downloads, [{ filename: CSV_FILENAME, text: csv, type: 'text/csv;charset=utf-8' }]);
});

test('what-if: a weight change is tried after the debounce, with every setting as a string', async () => {
  const { client, view, page, timers } = setup({ routes: { [PREVIEW]: [{ resolve: previewAnswer() }] } });
  await page.start();
  page.setWeight('sla', '1');
  page.setWeight('balance', '3');
  assert.equal(client.sent(PREVIEW).length, 0, 'nothing is asked before the debounce');
  assert.match(view.regions['whatif-result'], /Computing/);
  assert.deepEqual(timers.runAll(), [PREVIEW_DEBOUNCE_MS]);
  await settle();
  const sent = client.sent(PREVIEW);
  assert.equal(sent.length, 1, 'two quick changes make one request');
  assert.deepEqual(JSON.parse(sent[0].data), {
    settings: {
      green_threshold: '70', red_threshold: '40', weight_balance: '3', weight_feedback: '2',
      weight_touchpoints: '1', weight_sla: '1',
    },
  });
  const result = view.regions['whatif-result'];
  assert.match(result, /Organizations that would change colour: 2/);
  assert.match(result, /Globex/);
  assert.match(result, /data-setting="weight_sla"><th scope="row">Weight: SLA<\/th><td>3<\/td><td><code>1<\/code>/);
  assert.match(result, /data-setting="weight_balance"/);
  assert.doesNotMatch(result, /data-setting="green_threshold"/);
});

test('what-if: an answer for an older candidate is dropped', async () => {
  const slow = gate();
  const { client, view, page, timers } = setup({
    routes: {
      [PREVIEW]: [
        { wait: slow.promise, resolve: previewAnswer({ changes: [] }) },
        { resolve: previewAnswer() },
      ],
    },
  });
  await page.start();
  page.setWeight('sla', '1');
  timers.runAll();
  await settle();
  page.setWeight('sla', '0');
  timers.runAll();
  await settle();
  slow.open();
  await settle();
  assert.equal(client.sent(PREVIEW).length, 2);
  assert.match(view.regions['whatif-result'], /would change colour: 2/);
});

test('what-if: impossible thresholds are explained and never sent', async () => {
  const { client, view, page, timers } = setup();
  await page.start();
  page.setThreshold('red', '75');
  assert.match(view.regions['whatif-result'], /“Red below score” must not be higher than “Green from score”/);
  page.setThreshold('red', '');
  assert.match(view.regions['whatif-result'], /numbers from 0 to 100/);
  assert.equal(timers.pending.size, 0);
  assert.equal(client.sent(PREVIEW).length, 0);
});

test('what-if: back to the settings in force asks nothing', async () => {
  const { client, view, page, timers } = setup();
  await page.start();
  page.setThreshold('green', '80');
  page.act('reset');
  timers.runAll();
  await settle();
  assert.equal(client.sent(PREVIEW).length, 0);
  assert.match(view.regions['whatif-controls'], /data-threshold="green" value="70"/);
  assert.match(view.regions['whatif-actions'], /data-action="reset" disabled/);
});

test('calibrate fills the thresholds for 20/60/20 and tries them', async () => {
  const { client, view, page, timers } = setup({
    routes: {
      [CALIBRATION]: [{ resolve: calibrationAnswer({ exact: false, shares: { green: 25, yellow: 55, red: 20 } }) }],
      [PREVIEW]: [{ resolve: previewAnswer() }],
    },
  });
  await page.start();
  await page.act('calibrate');
  assert.equal(query(client.sent(CALIBRATION)[0]), '?green=20&red=20');
  assert.match(view.regions['whatif-controls'], /data-threshold="green" value="71.2"/);
  assert.match(view.regions['whatif-controls'], /data-threshold="red" value="38.5"/);
  assert.match(view.regions['whatif-actions'], /25\u202f% healthy, 55\u202f% at risk, 20\u202f% critical/);
  assert.match(view.regions['whatif-actions'], /these thresholds come closest/);
  timers.runAll();
  await settle();
  assert.equal(JSON.parse(client.sent(PREVIEW)[0].data).settings.green_threshold, '71.2');
  assert.match(view.regions['whatif-result'], /data-setting="green_threshold"><th scope="row">Green from score<\/th><td>70<\/td><td><code>71.2<\/code>/);
});

test('calibration without scored organizations leaves the thresholds alone', async () => {
  const { client, view, page } = setup({
    routes: { [CALIBRATION]: [{ resolve: calibrationAnswer({ green_threshold: null, red_threshold: null, organizations: 0 }) }] },
  });
  await page.start();
  await page.act('calibrate');
  assert.match(view.regions['whatif-actions'], /nothing to calibrate/);
  assert.match(view.regions['whatif-controls'], /data-threshold="green" value="70"/);
  assert.equal(client.sent(PREVIEW).length, 0);
});

test('with other weights, calibration is disabled: it would calibrate the weights in force', async () => {
  const { client, view, page } = setup();
  await page.start();
  page.setWeight('feedback', '0');
  assert.match(view.regions['whatif-actions'], /data-action="calibrate" disabled/);
  assert.match(view.regions['whatif-actions'], /Enter the new weights on the settings page first/);
  await page.act('calibrate');
  assert.equal(client.sent(CALIBRATION).length, 0);
});

test('a click on an organization opens its card, history and changes; back returns', async () => {
  const { client, view, page } = setup({ routes: { [HEALTH]: [{ resolve: detailReport() }] } });
  await page.start();
  await page.act('open', { org: '42', region: 'table-rows' });
  await settle();
  assert.equal(view.revealed, 'detail');
  assert.equal(client.sent(HEALTH)[0].url, 'https://health.example.com/api/v1/organizations/42/health?locale=en');
  const detail = view.regions.detail;
  assert.match(detail, /data-state="report"/);
  assert.match(detail, /class="chart history__chart" viewBox="0 0 560 160" role="img" aria-label="Score over 3 days: 70 on Sep 1, 63 on Nov 1; lowest 63, highest 70"/);
  assert.match(detail, /data-kpi="sla"><span class="kpi-change__name">SLA<\/span> <span>62 → 41<\/span> <span class="kpi-change__effect">\u22127.9 points on the score/);
  assert.ok(view.focused.includes('#detail-title'));
  page.act('back');
  assert.equal(view.revealed, 'main');
  assert.equal(view.focused.at(-1), '[data-region="table-rows"] [data-action="open"][data-org="42"]');
});

test('the detail opens the organization in Zendesk with routeTo', async () => {
  const { client, view, page } = setup({ routes: { [HEALTH]: [{ resolve: detailReport() }] } });
  await page.start();
  await page.act('open', { org: '42' });
  await settle();
  await page.act('zendesk');
  assert.deepEqual(client.invoked, [['routeTo', 'organization', 42]]);
  client.invokeFails = true;
  await page.act('zendesk');
  assert.match(view.regions.detail, /search for organization #42 instead/);
});

test('the detail\'s card works as in the sidebar: drill-down tickets, more recommendations, admin box', async () => {
  const report = detailReport({
    settings_warnings: ['red_threshold: 90 is above green_threshold'],
    settings_problems: [{ setting: 'red_threshold', code: 'red_above_green', value: '90', default: '40', params: { red: '90', green: '70' } }],
  });
  const { client, view, page } = setup({ routes: { [HEALTH]: [{ resolve: report }] } });
  await page.start();
  await page.act('open', { org: '42' });
  await settle();
  assert.match(view.regions.detail, /data-state="settings-problems"/, 'admins see what is wrong with the settings');
  await page.act('open-ticket', { ticket: '702' });
  assert.deepEqual(client.invoked.at(-1), ['routeTo', 'ticket', 702]);
  await page.act('open-ticket', { ticket: 'x' });
  assert.equal(client.invoked.length, 1, 'no ticket id, no route');
  assert.doesNotMatch(view.regions.detail, /Third one, never shown/);
  await page.act('more-recommendations');
  assert.match(view.regions.detail, /Third one, never shown/);
  assert.match(view.regions.detail, /aria-expanded="true"/);
  page.act('back');
  await page.act('open', { org: '42' });
  await settle();
  assert.doesNotMatch(view.regions.detail, /Third one, never shown/, 'another detail starts folded');

  const agent = setup({ role: 'agent', routes: { [HEALTH]: [{ resolve: report }] } });
  await agent.page.start();
  await agent.page.act('open', { org: '42' });
  await settle();
  assert.doesNotMatch(agent.view.regions.detail, /settings-problems/);
});

test('a computing organization polls; the card\'s refresh and retry ask again', async () => {
  const { client, view, page, timers } = setup({
    routes: {
      [HEALTH]: [
        { resolve: { status: 'computing', progress: { fetched: 100, total: 400 } } },
        failure(404, 'unknown organization', 'organization_not_found'),
        { resolve: detailReport() },
      ],
    },
  });
  await page.start();
  await page.act('open', { org: '42' });
  await settle();
  assert.match(view.regions.detail, /100 of 400 tickets read/);
  assert.deepEqual(timers.runAll(), [DETAIL_POLL_MS]);
  await settle();
  assert.match(view.regions.detail, /data-code="organization_not_found"/);
  assert.match(view.regions.detail, /Organization not found/);
  await page.act('retry');
  await settle();
  assert.match(view.regions.detail, /data-state="report"/);
  assert.equal(page.state, 'ready', 'retry in the detail does not reload the page');
  await page.act('refresh');
  await settle();
  assert.match(client.sent(HEALTH).at(-1).url, /\?refresh=1&locale=en$/);
});

test('a refreshing detail is asked again until its answer is new, a bounded number of times', async () => {
  const { client, view, page, timers } = setup({
    routes: {
      [HEALTH]: [
        { resolve: detailReport({ refreshing: true }) },
        { resolve: detailReport({ score: 71.2, colour: 'green' }) },
      ],
    },
  });
  await page.start();
  await page.act('open', { org: '42' });
  await settle();
  assert.match(view.regions.detail, /updating…/);
  assert.deepEqual(timers.runAll(), [DETAIL_POLL_MS]);
  await settle();
  assert.match(view.regions.detail, />71</);
  assert.equal(timers.pending.size, 0);
  const stuck = setup({ routes: { [HEALTH]: [{ resolve: detailReport({ refreshing: true }) }] } });
  await stuck.page.start();
  await stuck.page.act('open', { org: '42' });
  for (let i = 0; i < REFRESHING_POLLS + 3; i += 1) {
    await settle();
    stuck.timers.runAll();
  }
  await settle();
  assert.equal(stuck.client.sent(HEALTH).length, 1 + REFRESHING_POLLS);
  assert.equal(client.sent(HEALTH).length, 2);
});

test('German admins get German words and locale=de', async () => {
  const { client, view, page } = setup({ locale: 'de-DE', routes: { [HEALTH]: [{ resolve: detailReport() }] } });
  await page.start();
  assert.match(view.regions.header, /4 Organisationen/);
  assert.match(view.regions['table-controls'], /CSV herunterladen/);
  assert.match(view.regions.backtest, /Auch ein grüner Kunde kann abwandern/);
  await page.act('open', { org: '42' });
  await settle();
  assert.match(client.sent(HEALTH)[0].url, /locale=de$/);
});

test('the DOM binding maps clicks, filter and weight changes and threshold input', async () => {
  const { client, view, page, timers } = setup({
    routes: { [PREVIEW]: [{ resolve: previewAnswer() }], [HEALTH]: [{ resolve: detailReport() }] },
  });
  await page.start();
  const root = stubRoot();
  root.listeners = {};
  root.addEventListener = (type, listener) => {
    root.listeners[type] = listener;
  };
  bindPortfolio(root, page);
  const region = { getAttribute: (name) => (name === 'data-region' ? 'focus' : null) };
  const element = (attributes, extra = {}) => ({
    getAttribute: (name) => attributes[name] ?? null,
    closest: (selector) => (selector === '[data-region]' ? region : element(attributes, extra)),
    ...extra,
  });
  root.listeners.change({ target: element({ 'data-filter': 'phase' }, { value: 'onboarding' }) });
  await settle();
  assert.equal(query(client.sent(PORTFOLIO).at(-1)), '?phase=onboarding&sort=score');
  root.listeners.change({ target: element({ 'data-weight': 'touchpoints' }, { value: '3' }) });
  root.listeners.input({ target: element({ 'data-threshold': 'green' }, { value: '75' }) });
  timers.runAll();
  await settle();
  const settings = JSON.parse(client.sent(PREVIEW)[0].data).settings;
  assert.equal(settings.weight_touchpoints, '3');
  assert.equal(settings.green_threshold, '75');
  root.listeners.click({ target: element({ 'data-action': 'open', 'data-org': '42' }) });
  await settle();
  assert.equal(client.sent(HEALTH).length, 1);
  page.act('back');
  assert.equal(view.focused.at(-1), '[data-region="focus"] [data-action="open"][data-org="42"]');
  root.listeners.click({ target: element({ 'data-action': 'open', 'data-org': '42' }) });
  await settle();
  root.listeners.click({ target: element({ 'data-action': 'open-ticket', 'data-ticket-id': '811' }) });
  assert.deepEqual(client.invoked.at(-1), ['routeTo', 'ticket', 811]);
  page.act('back');
  root.listeners.click({ target: element({ 'data-action': 'calibrate' }, { disabled: true }) });
  assert.equal(client.sent(CALIBRATION).length, 0, 'a disabled button does nothing');
});

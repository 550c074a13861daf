import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  FOLLOW_EVENTS, POLL_INTERVAL_MS, REFRESHING_POLLS, createSidebar, resolveOrganizationId,
} from '../assets/sidebar.js';
import { NOW, fakeTimers, healthReport, settle, stubClient, stubRoot } from './fixtures.mjs';

function setup(clientOptions = {}) {
  const client = stubClient(clientOptions);
  const root = stubRoot();
  const timers = fakeTimers();
  let height = 300;
  const logged = [];
  const sidebar = createSidebar(client, {
    root,
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout,
    now: () => NOW,
    measure: () => height,
    log: (message) => logged.push(message),
  });
  return { client, root, timers, sidebar, logged, setHeight: (h) => { height = h; } };
}

const failure = (status, text, code) => ({
  reject: { status, responseText: JSON.stringify({ detail: text, code }) },
});

test('200: renders the report and resizes the iframe to the content', async () => {
  const { client, root, sidebar } = setup({ responses: [{ resolve: healthReport() }] });
  await sidebar.start();
  assert.equal(sidebar.state, 'report');
  assert.match(root.innerHTML, /data-state="report"/);
  assert.equal(client.requests.length, 1);
  assert.equal(client.requests[0].url, 'https://health.example.com/api/v1/organizations/42/health?locale=en');
  assert.deepEqual(client.invoked.at(-1), ['resize', { width: '100%', height: '300px' }]);
});

test('the request carries the subdomain, installation and agent as claims', async () => {
  const { client, sidebar } = setup({ responses: [{ resolve: healthReport() }] });
  await sidebar.start();
  const { iat, exp, ...identity } = client.requests[0].jwt.claims;
  assert.deepEqual(identity, {
    iss: 'acme', aud: 'customer-health', installation_id: 9001, sub: '555',
  });
  const now = Math.floor(Date.now() / 1000);
  assert.ok(Math.abs(iat - now) <= 5, 'iat is the current time in seconds');
  assert.equal(exp - iat, 3600);
  assert.equal(client.requests[0].secure, true);
  assert.equal(client.requests[0].headers.Authorization, 'Bearer {{jwt.token}}');
});

test('202 → polls every 1.5 s with a progress bar, then shows the report', async () => {
  const { client, root, sidebar, timers } = setup({
    responses: [
      { resolve: { status: 'computing', progress: { fetched: 0, total: 300 } } },
      { resolve: { status: 'computing', progress: { fetched: 200, total: 300 } } },
      { resolve: healthReport() },
    ],
  });
  await sidebar.start();
  assert.equal(sidebar.state, 'computing');
  assert.match(root.innerHTML, /0 of 300 tickets read/);
  assert.deepEqual(timers.runAll(), [POLL_INTERVAL_MS]);
  await settle();
  assert.equal(sidebar.state, 'computing');
  assert.match(root.innerHTML, /aria-valuenow="67"/);
  timers.runAll();
  await settle();
  assert.equal(sidebar.state, 'report');
  assert.equal(client.requests.length, 3);
  // No more polling: the only timer left is the minute tick of "updated … ago".
  assert.deepEqual([...timers.pending.values()].map((timer) => timer.ms), [60_000]);
});

test('a refused token: a sentence for the agent, the detail to the log only', async () => {
  const { root, sidebar, logged } = setup({
    responses: [failure(401, 'invalid token: signature does not match', 'invalid_token')],
  });
  await sidebar.start();
  assert.equal(sidebar.state, 'problem');
  assert.equal(sidebar.problem.code, 'invalid_token');
  assert.match(root.innerHTML, /Ask your Zendesk admin to check that the app&#39;s shared secret/);
  assert.doesNotMatch(root.innerHTML, /signature does not match/);
  assert.deepEqual(logged, ['Customer Health: invalid_token (HTTP 401): invalid token: signature does not match']);
});

test('admins also see the technical detail', async () => {
  const { root, sidebar } = setup({
    role: 'admin',
    responses: [failure(503, 'GET /api/v2/organizations/42/tickets answered 503', 'zendesk_unavailable')],
  });
  await sidebar.start();
  assert.match(root.innerHTML, /Zendesk isn&#39;t answering/);
  assert.match(root.innerHTML, /<code>GET \/api\/v2\/organizations\/42\/tickets answered 503<\/code>/);
});

test('network error: unreachable with a retry that loads again', async () => {
  const { client, root, sidebar } = setup({
    responses: [{ reject: { status: 0, responseText: '' } }, { resolve: healthReport() }],
  });
  await sidebar.start();
  assert.equal(sidebar.problem.code, 'backend_unreachable');
  assert.match(root.innerHTML, /data-action="retry"/);
  root.click('retry');
  await settle();
  assert.equal(sidebar.state, 'report');
  assert.equal(client.requests.length, 2);
});

test('each backend code is worded as such', async () => {
  for (const [status, code] of [[404, 'organization_not_found'], [422, 'invalid_request'], [503, 'zendesk_credentials']]) {
    const { sidebar, root } = setup({ responses: [failure(status, 'x', code)] });
    await sidebar.start();
    assert.match(root.innerHTML, new RegExp(`data-code="${code}"`));
  }
});

test('refresh asks the backend to recompute', async () => {
  const { client, root, sidebar } = setup({
    responses: [{ resolve: healthReport() }, { resolve: healthReport() }],
  });
  await sidebar.start();
  root.click('refresh');
  await settle();
  assert.match(client.requests[1].url, /\?refresh=1&locale=en$/);
});

test('a refreshing answer shows the figures at hand, says so, and asks again until it is new', async () => {
  const { client, root, sidebar, timers } = setup({
    responses: [
      { resolve: healthReport() },
      { resolve: healthReport({ refreshing: true }) },
      { resolve: healthReport({ refreshing: true }) },
      { resolve: healthReport({ score: 71.2, colour: 'green' }) },
    ],
  });
  await sidebar.start();
  root.click('refresh');
  await settle();
  assert.match(root.innerHTML, /updated 4 min ago · updating…/);
  assert.match(root.innerHTML, /data-state="report"/, 'the figures at hand stay on screen');
  assert.deepEqual(timers.runAll(), [POLL_INTERVAL_MS]);
  await settle();
  timers.runAll();
  await settle();
  assert.match(root.innerHTML, />71</);
  assert.doesNotMatch(root.innerHTML, /updating…/);
  assert.deepEqual(client.requests.slice(2).map((r) => new URL(r.url).search), ['?locale=en', '?locale=en'], 'no second recompute');
  assert.deepEqual([...timers.pending.values()].map((timer) => timer.ms), [60_000], 'back to the minute tick');
});

test('a backend that stays refreshing is asked a bounded number of times', async () => {
  const responses = Array.from({ length: REFRESHING_POLLS + 5 }, () => ({ resolve: healthReport({ refreshing: true }) }));
  const { client, sidebar, timers } = setup({ responses });
  await sidebar.start();
  for (let i = 0; i < REFRESHING_POLLS + 3; i += 1) {
    timers.runAll();
    await settle();
  }
  assert.equal(client.requests.length, 1 + REFRESHING_POLLS);
});

test('no organization on the ticket or its requester: says so without calling the backend', async () => {
  const { client, root, sidebar } = setup({
    data: { 'ticket.organization': null, 'ticket.requester': { id: 1, organizations: [] } },
  });
  await sidebar.start();
  assert.equal(sidebar.problem.code, 'no_organization');
  assert.match(root.innerHTML, /No organization/);
  assert.equal(client.requests.length, 0);
});

test('backend_url missing: not configured, names the setting, no request', async () => {
  const { client, root, sidebar } = setup({ settings: { backend_url: '  ' } });
  await sidebar.start();
  assert.equal(sidebar.problem.code, 'not_configured');
  assert.match(root.innerHTML, /“Backend URL”/);
  assert.equal(client.requests.length, 0);
});

test('German agents get German text and locale=de', async () => {
  const { client, root, sidebar } = setup({ locale: 'de-DE', responses: [{ resolve: healthReport() }] });
  await sidebar.start();
  assert.match(client.requests[0].url, /locale=de$/);
  assert.match(root.innerHTML, /Kennzahlen/);
});

test('only documented events are subscribed, per location', async () => {
  assert.deepEqual(FOLLOW_EVENTS, {
    ticket_sidebar: ['ticket.requester.id.changed', 'app.activated'],
    organization_sidebar: ['app.activated'],
    user_sidebar: ['user.organizations.changed', 'app.activated'],
  });
  for (const location of Object.keys(FOLLOW_EVENTS)) {
    const { client, sidebar } = setup({
      location,
      data: { organization: { id: 42 }, 'user.organizations': [{ id: 42 }], 'ticket.organization': { id: 42 } },
      responses: [{ resolve: healthReport() }],
    });
    await sidebar.start();
    assert.deepEqual(Object.keys(client.handlers).sort(), [...FOLLOW_EVENTS[location]].sort());
  }
});

test('a new requester in another organization reloads the card', async () => {
  const { client, sidebar, timers } = setup({
    responses: [{ resolve: healthReport() }, { resolve: healthReport({ organization: { id: 77, name: 'Other' } }) }],
  });
  await sidebar.start();
  client.data = { 'ticket.organization': null, 'ticket.requester': { id: 3, organizations: [{ id: 77 }] } };
  client.handlers['ticket.requester.id.changed']();
  timers.runAll();
  await settle();
  assert.equal(client.requests.length, 2);
  assert.match(client.requests[1].url, /organizations\/77\/health/);
  assert.equal(sidebar.report.organization.name, 'Other');
});

test('an organization changed on the ticket is picked up when the app is activated again', async () => {
  const { client, sidebar, timers } = setup({
    responses: [{ resolve: healthReport() }, { resolve: healthReport({ organization: { id: 43, name: 'Moved' } }) }],
  });
  await sidebar.start();
  client.data = { 'ticket.organization': { id: 43 } };
  client.handlers['app.activated']();
  timers.runAll();
  await settle();
  assert.equal(sidebar.report.organization.name, 'Moved');
});

test('coming back to the same organization does not reload or re-ask the backend', async () => {
  const { client, sidebar, timers } = setup({ responses: [{ resolve: healthReport() }] });
  await sidebar.start();
  client.handlers['app.activated']();
  client.handlers['ticket.requester.id.changed']();
  timers.runAll();
  await settle();
  assert.equal(client.requests.length, 1);
  assert.equal(sidebar.state, 'report');
});

test('a requester leaving every organization shows "no organization"', async () => {
  const { client, sidebar, timers } = setup({ responses: [{ resolve: healthReport() }] });
  await sidebar.start();
  client.data = { 'ticket.organization': null, 'ticket.requester': { id: 4, organizations: [] } };
  client.handlers['ticket.requester.id.changed']();
  timers.runAll();
  await settle();
  assert.equal(sidebar.problem.code, 'no_organization');
});

test('a superseded answer is dropped', async () => {
  let release;
  const slow = new Promise((resolve) => { release = resolve; });
  const { client, sidebar, timers } = setup({ responses: [{ resolve: healthReport() }] });
  await sidebar.start();
  // The next request hangs; a second change happens meanwhile and answers first.
  client.request = async (options) => {
    client.requests.push(options);
    if (client.requests.length === 2) {
      await slow;
      return healthReport({ organization: { id: 1, name: 'Old' } });
    }
    return healthReport({ organization: { id: 2, name: 'New' } });
  };
  client.data = { 'ticket.organization': { id: 1 } };
  client.handlers['ticket.requester.id.changed']();
  timers.runAll();
  await settle();
  client.data = { 'ticket.organization': { id: 2 } };
  client.handlers['app.activated']();
  timers.runAll();
  await settle();
  release();
  await settle();
  assert.equal(client.requests.length, 3);
  assert.equal(sidebar.report.organization.name, 'New');
});

test('a drill-down ticket opens in Zendesk with routeTo', async () => {
  const { client, root, sidebar } = setup({ responses: [{ resolve: healthReport() }] });
  await sidebar.start();
  root.click('open-ticket', { 'data-ticket-id': '702' });
  assert.deepEqual(client.invoked.at(-1), ['routeTo', 'ticket', 702]);
  const before = client.invoked.length;
  root.click('open-ticket', { 'data-ticket-id': 'javascript:alert(1)' });
  assert.equal(client.invoked.length, before, 'no id, no navigation');
});

test('"show more" expands the recommendations, and a new organization folds them again', async () => {
  const { client, root, sidebar, timers } = setup({
    responses: [{ resolve: healthReport() }, { resolve: healthReport({ organization: { id: 9, name: 'Nine' } }) }],
  });
  await sidebar.start();
  assert.doesNotMatch(root.innerHTML, /Third one/);
  root.click('more-recommendations');
  assert.match(root.innerHTML, /Third one, never shown\./);
  assert.equal(client.requests.length, 1, 'expanding asks the backend nothing');
  timers.runAll(); // the minute tick keeps them expanded
  assert.match(root.innerHTML, /Third one, never shown\./);
  client.data = { 'ticket.organization': { id: 9 } };
  client.handlers['app.activated']();
  timers.runAll();
  await settle();
  assert.equal(sidebar.report.organization.name, 'Nine');
  assert.doesNotMatch(root.innerHTML, /Third one/);
});

test('admins see settings problems on the card; agents do not', async () => {
  const report = healthReport({
    settings_warnings: ['red_threshold: red_threshold (90) must not exceed green_threshold (70); using the default 40'],
    settings_problems: [{ setting: 'red_threshold', code: 'red_above_green', value: '90', default: '40', params: { red: 90, green: 70 } }],
  });
  const agent = setup({ responses: [{ resolve: report }] });
  await agent.sidebar.start();
  assert.doesNotMatch(agent.root.innerHTML, /settings-problems/);
  const admin = setup({ role: 'admin', locale: 'de', responses: [{ resolve: report }] });
  await admin.sidebar.start();
  assert.match(admin.root.innerHTML, /Einstellungen prüfen/);
  assert.match(admin.root.innerHTML, /„Rot unter Score“ \(90\) darf nicht über „Grün ab Score“ \(70\) liegen\./);
});

test('resize is sent only when the height changes', async () => {
  const { client, sidebar, setHeight } = setup({
    responses: [{ resolve: healthReport() }, { resolve: healthReport() }, { resolve: healthReport() }],
  });
  await sidebar.start();
  const before = client.invoked.length;
  await sidebar.load();
  assert.equal(client.invoked.length, before);
  setHeight(412.2);
  await sidebar.load();
  assert.equal(sidebar.state, 'report');
  assert.deepEqual(client.invoked.at(-1), ['resize', { width: '100%', height: '413px' }]);
});

test('the organization comes from the location', async () => {
  const org = stubClient({ data: { organization: { id: 7 } } });
  assert.equal(await resolveOrganizationId(org, 'organization_sidebar'), 7);
  const user = stubClient({ data: { 'user.organizations': [{ id: 8 }, { id: 9 }] } });
  assert.equal(await resolveOrganizationId(user, 'user_sidebar'), 8);
  const requester = stubClient({
    data: { 'ticket.organization': undefined, 'ticket.requester': { organizations: [{ id: 11 }] } },
  });
  assert.equal(await resolveOrganizationId(requester, 'ticket_sidebar'), 11);
  const none = stubClient({ data: { 'user.organizations': [] } });
  assert.equal(await resolveOrganizationId(none, 'user_sidebar'), null);
});

test('an open card keeps "updated … ago" counting, once a minute', async () => {
  const client = stubClient({ responses: [{ resolve: healthReport() }] });
  const root = stubRoot();
  const timers = fakeTimers();
  let clock = new Date('2026-11-20T10:04:30Z');
  const sidebar = createSidebar(client, {
    root, setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout, now: () => clock,
    measure: () => 300,
  });
  await sidebar.start();
  const first = root.innerHTML.match(/freshness__ago">([^<]*)</)[1];
  clock = new Date('2026-11-20T10:34:30Z');
  assert.deepEqual(timers.runAll(), [60_000]);
  const later = root.innerHTML.match(/freshness__ago">([^<]*)</)[1];
  assert.notEqual(first, later);
  assert.equal(client.requests.length, 1, 'ticking re-renders; it does not ask the backend');
  assert.equal(timers.pending.size, 1, 'and keeps ticking');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { POLL_INTERVAL_MS, createSidebar, resolveOrganizationId } from '../assets/sidebar.js';
import { NOW, fakeTimers, healthReport, settle, stubClient, stubRoot } from './fixtures.mjs';

function setup(clientOptions = {}) {
  const client = stubClient(clientOptions);
  const root = stubRoot();
  const timers = fakeTimers();
  let height = 300;
  const sidebar = createSidebar(client, {
    root,
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout,
    now: () => NOW,
    measure: () => height,
  });
  return { client, root, timers, sidebar, setHeight: (h) => { height = h; } };
}

const detail = (status, text) => ({ reject: { status, responseText: JSON.stringify({ detail: text }) } });

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

test('401: the unauthorized state with the backend detail', async () => {
  const { root, sidebar } = setup({ responses: [detail(401, 'Signature verification failed')] });
  await sidebar.start();
  assert.equal(sidebar.state, 'unauthorized');
  assert.match(root.innerHTML, /check the shared secret/);
  assert.match(root.innerHTML, /Signature verification failed/);
});

test('network error: unreachable with a retry that loads again', async () => {
  const { client, root, sidebar } = setup({
    responses: [{ reject: { status: 0, responseText: '' } }, { resolve: healthReport() }],
  });
  await sidebar.start();
  assert.equal(sidebar.state, 'unreachable');
  assert.match(root.innerHTML, /data-action="retry"/);
  root.click('retry');
  await settle();
  assert.equal(sidebar.state, 'report');
  assert.equal(client.requests.length, 2);
});

test('404, 422 and 503 each have their own state', async () => {
  for (const [status, state] of [[404, 'not-found'], [422, 'invalid'], [503, 'unavailable']]) {
    const { sidebar } = setup({ responses: [detail(status, 'x')] });
    await sidebar.start();
    assert.equal(sidebar.state, state);
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

test('no organization on the ticket or its requester: says so without calling the backend', async () => {
  const { client, root, sidebar } = setup({
    data: { 'ticket.organization': null, 'ticket.requester': { id: 1, organizations: [] } },
  });
  await sidebar.start();
  assert.equal(sidebar.state, 'no-organization');
  assert.match(root.innerHTML, /No organization/);
  assert.equal(client.requests.length, 0);
});

test('backend_url missing: not configured, names the setting, no request', async () => {
  const { client, root, sidebar } = setup({ settings: { backend_url: '  ' } });
  await sidebar.start();
  assert.equal(sidebar.state, 'not-configured');
  assert.match(root.innerHTML, /backend_url/);
  assert.equal(client.requests.length, 0);
});

test('German agents get German text and locale=de', async () => {
  const { client, root, sidebar } = setup({ locale: 'de-DE', responses: [{ resolve: healthReport() }] });
  await sidebar.start();
  assert.match(client.requests[0].url, /locale=de$/);
  assert.match(root.innerHTML, /Kennzahlen/);
});

test('ticket changes reload the card; a superseded answer is dropped', async () => {
  let release;
  const slow = new Promise((resolve) => { release = resolve; });
  const { client, sidebar, timers } = setup({ responses: [{ resolve: healthReport() }] });
  await sidebar.start();
  assert.deepEqual(Object.keys(client.handlers).sort(), ['ticket.organization.changed', 'ticket.requester.id.changed']);
  // The next request hangs; a second change happens meanwhile and answers first.
  client.request = async (options) => {
    client.requests.push(options);
    if (client.requests.length === 2) {
      await slow;
      return healthReport({ organization: { id: 1, name: 'Old' } });
    }
    return healthReport({ organization: { id: 2, name: 'New' } });
  };
  client.handlers['ticket.requester.id.changed']();
  timers.runAll();
  await settle();
  client.handlers['ticket.organization.changed']();
  timers.runAll();
  await settle();
  release();
  await settle();
  assert.equal(client.requests.length, 3);
  assert.equal(sidebar.report.organization.name, 'New');
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

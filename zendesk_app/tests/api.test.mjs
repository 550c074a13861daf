import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  backendBaseUrl, classifyFailure, classifySuccess, fetchHealth, healthRequestOptions,
  signedRequestOptions,
} from '../assets/api.js';
import { healthReport, stubClient } from './fixtures.mjs';

const params = {
  backendUrl: 'https://health.example.com',
  organizationId: 42,
  subdomain: 'acme',
  installationId: '9001',
  userId: 555,
  language: 'de',
  now: 1_800_000_000,
};

test('the request options are exactly those of DESIGN §3', () => {
  assert.deepEqual(healthRequestOptions(params), {
    url: 'https://health.example.com/api/v1/organizations/42/health?locale=de',
    type: 'GET',
    secure: true,
    cors: false,
    headers: { Authorization: 'Bearer {{jwt.token}}' },
    jwt: {
      algorithm: 'HS256',
      secret_key: '{{setting.shared_secret}}',
      expiry: 3600,
      claims: {
        iss: 'acme', aud: 'customer-health', iat: 1_800_000_000, exp: 1_800_003_600,
        installation_id: 9001, sub: '555',
      },
    },
    dataType: 'json',
  });
});

test('claims: installation_id is an integer, sub a string', () => {
  const { claims } = healthRequestOptions(params).jwt;
  assert.equal(typeof claims.installation_id, 'number');
  assert.ok(Number.isInteger(claims.installation_id));
  assert.equal(typeof claims.sub, 'string');
});

test('refresh adds refresh=1 before the locale', () => {
  const { url } = healthRequestOptions({ ...params, refresh: true, language: 'en' });
  assert.equal(url, 'https://health.example.com/api/v1/organizations/42/health?refresh=1&locale=en');
});

test('the backend URL loses trailing slashes; blank means not configured', () => {
  assert.equal(backendBaseUrl({ backend_url: ' https://h.example.com// ' }), 'https://h.example.com');
  assert.equal(backendBaseUrl({ backend_url: '' }), null);
  assert.equal(backendBaseUrl({}), null);
  assert.equal(backendBaseUrl(undefined), null);
});

test('failures with a backend detail map to their state', () => {
  const failure = (status, detail) => ({ status, responseText: JSON.stringify({ detail }) });
  assert.deepEqual(classifyFailure(failure(401, 'bad signature')), {
    kind: 'unauthorized', status: 401, detail: 'bad signature', code: null,
  });
  assert.equal(classifyFailure(failure(404, 'unknown')).kind, 'not-found');
  assert.equal(classifyFailure(failure(422, [{ msg: 'not an integer' }])).detail, 'not an integer');
  assert.equal(classifyFailure(failure(422, 'x')).kind, 'invalid');
  assert.equal(classifyFailure(failure(503, 'Zendesk down')).kind, 'unavailable');
  assert.equal(classifyFailure(failure(500, 'boom')).kind, 'error');
  assert.equal(classifyFailure({ status: 401, responseJSON: { detail: 'json' } }).detail, 'json');
});

test('failures carry the machine code of docs/api.md when the backend sends one', () => {
  const body = { detail: 'Zendesk answered 429', code: 'zendesk_rate_limited' };
  assert.deepEqual(classifyFailure({ status: 503, responseText: JSON.stringify(body) }), {
    kind: 'unavailable', status: 503, detail: 'Zendesk answered 429', code: 'zendesk_rate_limited',
  });
  assert.equal(classifyFailure({ status: 422, responseJSON: { detail: 'x', code: 7 } }).code, null);
});

test('a POST carries its body as JSON; query values are encoded', () => {
  const options = signedRequestOptions({
    ...params, path: '/api/v1/preview', type: 'POST', body: { settings: { weight_sla: '1' } },
    query: [['sort', '-score'], ['colour', 'red & green']],
  });
  assert.equal(options.url, 'https://health.example.com/api/v1/preview?sort=-score&colour=red%20%26%20green');
  assert.equal(options.type, 'POST');
  assert.equal(options.contentType, 'application/json');
  assert.deepEqual(JSON.parse(options.data), { settings: { weight_sla: '1' } });
  assert.deepEqual(options.jwt, healthRequestOptions(params).jwt);
  const get = signedRequestOptions({ ...params, path: '/api/v1/sync' });
  assert.equal('data' in get || 'contentType' in get, false);
});

test('failures without a backend detail mean the backend was not reached', () => {
  assert.equal(classifyFailure({ status: 0, responseText: '' }).kind, 'unreachable');
  assert.equal(classifyFailure({ status: 502, responseText: '<html>Bad gateway</html>' }).kind, 'unreachable');
  assert.equal(
    classifyFailure({ status: 503, responseText: '{"errors":[{"code":"ConnectionNotFound"}]}' }).kind,
    'unreachable',
  );
  assert.equal(classifyFailure(new Error('network')).kind, 'unreachable');
});

test('successes: the report, or computing with its progress', () => {
  const report = healthReport();
  assert.deepEqual(classifySuccess(report), { kind: 'report', report });
  assert.deepEqual(classifySuccess({ status: 'computing', progress: { fetched: 100, total: 400 } }), {
    kind: 'computing', progress: { fetched: 100, total: 400 },
  });
  assert.equal(classifySuccess('<html>').kind, 'error');
});

test('fetchHealth sends the options through client.request and never rejects', async () => {
  const client = stubClient({ responses: [{ reject: { status: 401, responseText: '{"detail":"x"}' } }] });
  const outcome = await fetchHealth(client, params);
  assert.equal(outcome.kind, 'unauthorized');
  assert.deepEqual(client.requests, [healthRequestOptions(params)]);
});

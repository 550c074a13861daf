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

test('every endpoint is signed alike; a POST carries its body as JSON; query values are encoded', () => {
  const options = signedRequestOptions({
    ...params, path: '/api/v1/preview', type: 'POST', body: { settings: { weight_sla: '1' } },
    query: [['sort', '-score'], ['colour', 'red & green']],
  });
  assert.equal(options.url, 'https://health.example.com/api/v1/preview?sort=-score&colour=red%20%26%20green');
  assert.equal(options.type, 'POST');
  assert.equal(options.contentType, 'application/json');
  assert.deepEqual(JSON.parse(options.data), { settings: { weight_sla: '1' } });
  assert.deepEqual(options.jwt, healthRequestOptions(params).jwt);
  const get = signedRequestOptions({ ...params, path: '/api/v1/sync', dataType: 'text' });
  assert.equal('data' in get || 'contentType' in get, false);
  assert.equal(get.dataType, 'text');
});

test('the backend URL loses trailing slashes; blank means not configured', () => {
  assert.equal(backendBaseUrl({ backend_url: ' https://h.example.com// ' }), 'https://h.example.com');
  assert.equal(backendBaseUrl({ backend_url: '' }), null);
  assert.equal(backendBaseUrl({}), null);
  assert.equal(backendBaseUrl(undefined), null);
});

test('failures from the backend carry its code and detail', () => {
  const failure = (status, detail, code) => ({ status, responseText: JSON.stringify({ detail, code }) });
  assert.deepEqual(classifyFailure(failure(401, 'invalid token: bad signature', 'invalid_token')), {
    kind: 'problem', code: 'invalid_token', status: 401, detail: 'invalid token: bad signature',
  });
  assert.equal(classifyFailure(failure(503, 'Zendesk refused', 'zendesk_credentials')).code, 'zendesk_credentials');
  assert.equal(classifyFailure(failure(422, [{ msg: 'not an integer' }], 'invalid_request')).detail, 'not an integer');
  assert.equal(classifyFailure({ status: 401, responseJSON: { detail: 'json', code: 'invalid_token' } }).detail, 'json');
  // An older backend without codes: the status decides how the card words it.
  assert.deepEqual(classifyFailure({ status: 404, responseText: '{"detail":"unknown"}' }), {
    kind: 'problem', code: null, status: 404, detail: 'unknown',
  });
});

test('failures without a backend detail mean the backend was not reached', () => {
  assert.deepEqual(classifyFailure({ status: 0, responseText: '' }), {
    kind: 'problem', code: 'backend_unreachable', status: 0, detail: null,
  });
  const gateway = classifyFailure({ status: 502, responseText: '<html>Bad gateway</html>' });
  assert.equal(gateway.code, 'backend_unreachable');
  assert.equal(gateway.detail, 'HTTP 502: <html>Bad gateway</html>', 'what came back, for admins');
  assert.equal(
    classifyFailure({ status: 503, responseText: '{"errors":[{"code":"ConnectionNotFound"}]}' }).code,
    'backend_unreachable',
  );
  assert.equal(classifyFailure(new Error('network')).code, 'backend_unreachable');
  assert.ok(classifyFailure({ status: 502, responseText: 'x'.repeat(5000) }).detail.length < 320);
});

test('successes: the report, or computing with its progress', () => {
  const report = healthReport();
  assert.deepEqual(classifySuccess(report), { kind: 'report', report });
  assert.deepEqual(classifySuccess({ status: 'computing', progress: { fetched: 100, total: 400 } }), {
    kind: 'computing', progress: { fetched: 100, total: 400 },
  });
  assert.deepEqual(classifySuccess('<html>'), {
    kind: 'problem', code: 'internal_error', status: 200, detail: 'the answer is not a health report',
  });
});

test('fetchHealth sends the options through client.request and never rejects', async () => {
  const client = stubClient({
    responses: [{ reject: { status: 401, responseText: '{"detail":"x","code":"invalid_token"}' } }],
  });
  const outcome = await fetchHealth(client, params);
  assert.equal(outcome.code, 'invalid_token');
  assert.deepEqual(client.requests, [healthRequestOptions(params)]);
});

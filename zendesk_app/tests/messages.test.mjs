import assert from 'node:assert/strict';
import { test } from 'node:test';

import { translator } from '../assets/i18n.js';
import {
  renderProblem, renderSettingsProblems, renderStale, settingsProblemText, wordedCode,
} from '../assets/messages.js';
import { healthReport } from './fixtures.mjs';

const en = translator('en');
const de = translator('de');
const AGENT = { isAdmin: false };
const ADMIN = { isAdmin: true };

function body(html) {
  return html.match(/class="message__body">([^<]*)</)?.[1] ?? '';
}

// Every code of docs/api.md "Errors", and the card's own: who must act, in words.
const WHO = {
  invalid_token: /Ask your Zendesk admin/,
  unknown_installation: /Ask your Zendesk admin/,
  invalid_request: /ask your Zendesk admin/,
  not_found: /Ask your Zendesk admin to check the “Backend URL” setting/,
  zendesk_credentials: /Ask the backend&#39;s operator to renew them/,
  zendesk_not_configured: /Ask the backend&#39;s operator to set it up/,
  zendesk_unavailable: /Try again in a minute/,
  zendesk_rate_limited: /Try again in a minute/,
  database_unavailable: /Try again in a minute; if it lasts, tell the backend&#39;s operator/,
  internal_error: /tell the backend&#39;s operator/,
  organization_not_found: /deleted or merged/,
  backend_unreachable: /ask your Zendesk admin to check that the backend is running/,
};

for (const [code, who] of Object.entries(WHO)) {
  test(`${code}: a human sentence that says who acts, in both languages`, () => {
    const html = renderProblem({ code, status: 503, detail: 'GET /api/v2/x answered 503' }, en, AGENT);
    assert.match(html, new RegExp(`data-code="${code}"`));
    assert.match(body(html), who);
    const german = renderProblem({ code, status: 503 }, de, AGENT);
    assert.ok(body(german).length > 20, 'a German sentence');
    assert.doesNotMatch(body(german), /\b(du|dein|dich|dir)\b/i, 'German says "Sie"');
  });
}

test('agents never see the technical detail; admins do, marked as such', () => {
  const problem = { code: 'zendesk_unavailable', status: 503, detail: 'GET /api/v2/organizations/42/tickets answered 503' };
  const agent = renderProblem(problem, en, AGENT);
  assert.doesNotMatch(agent, /api\/v2/);
  assert.doesNotMatch(agent, /message__detail/);
  const admin = renderProblem(problem, en, ADMIN);
  assert.match(admin, /Technical detail \(only admins see this\):<\/span> <code>GET \/api\/v2\/organizations\/42\/tickets answered 503<\/code>/);
});

test('wrong Zendesk credentials do not read like an outage', () => {
  const html = renderProblem({ code: 'zendesk_credentials', status: 503 }, en, AGENT);
  assert.doesNotMatch(html, /try again in a minute/i);
  assert.match(html, /The backend can&#39;t sign in to Zendesk/);
});

test('unknown codes are worded by status; aliases by their twin', () => {
  assert.equal(wordedCode({ code: 'brand_new', status: 401 }), 'invalid_token');
  assert.equal(wordedCode({ code: null, status: 404 }), 'not_found');
  assert.equal(wordedCode({ status: 422 }), 'invalid_request');
  assert.equal(wordedCode({ status: 500 }), 'internal_error');
  assert.equal(wordedCode({ code: 'method_not_allowed', status: 405 }), 'not_found');
  assert.equal(wordedCode({ code: 'http_error', status: 418 }), 'internal_error');
});

test('a view that retries a part of itself names its own retry action', () => {
  const html = renderProblem({ code: 'database_unavailable' }, en, { retryAction: 'reload-table' });
  assert.match(html, /<button type="button" class="btn" data-action="reload-table">Try again<\/button>/);
  assert.doesNotMatch(html, /data-action="retry"/);
});

test('failures are alerts with a retry; normal states are calm, without one', () => {
  const failure = renderProblem({ code: 'backend_unreachable' }, en, AGENT);
  assert.match(failure, /role="alert"/);
  assert.match(failure, /data-action="retry"/);
  const none = renderProblem({ code: 'no_organization' }, en, AGENT);
  assert.match(none, /role="status"/);
  assert.doesNotMatch(none, /data-action="retry"/);
  assert.match(body(none), /^The requester doesn&#39;t belong to an organization, so there is no customer health to show\.$/);
  assert.equal(body(renderProblem({ code: 'no_organization' }, de, AGENT)),
    'Die anfragende Person gehört zu keiner Organisation. Deshalb gibt es hier keine Customer Health.');
});

test('in a user profile, "no organization" speaks of the user, not of a requester', () => {
  const html = renderProblem({ code: 'no_organization', location: 'user_sidebar' }, en, AGENT);
  assert.equal(body(html), 'This user doesn&#39;t belong to an organization, so there is no customer health to show.');
  assert.match(body(renderProblem({ code: 'no_organization', location: 'user_sidebar' }, de, AGENT)), /^Diese Person/);
});

test('not configured names the setting by its label on the settings page', () => {
  const html = renderProblem({ code: 'not_configured', setting: 'backend_url' }, en, AGENT);
  assert.match(html, /App not set up/);
  assert.match(body(html), /Ask your Zendesk admin to fill in “Backend URL”/);
  assert.match(body(renderProblem({ code: 'not_configured', setting: 'backend_url' }, de, AGENT)), /„Backend-URL“/);
});

test('the stale note is worded by stale_code; the technical reason is for admins only', () => {
  const report = healthReport({ stale: true, stale_code: 'zendesk_credentials', stale_reason: 'GET /api/v2/x answered 401' });
  const agent = renderStale(report, en, AGENT);
  assert.match(agent, /Showing the last known result\./);
  assert.match(agent, /Ask the backend&#39;s operator to renew its Zendesk API credentials/);
  assert.doesNotMatch(agent, /api\/v2/);
  assert.match(renderStale(report, en, ADMIN), /<code>GET \/api\/v2\/x answered 401<\/code>/);
  const unknown = renderStale(healthReport({ stale: true, stale_code: null, stale_reason: 'x' }), en, AGENT);
  assert.match(unknown, /couldn&#39;t refresh these figures from Zendesk/);
  assert.equal(renderStale(healthReport(), en, AGENT), '');
});

test('each settings problem in words, naming the setting by its label', () => {
  const cases = [
    [{ setting: 'weight_sla', code: 'below_minimum', value: '-1', default: '3', params: { min: 0 } },
      '“Weight: SLA”: -1 is below the minimum of 0. The default 3 applies.',
      '„Gewicht: SLA“: -1 liegt unter dem Minimum von 0. Es gilt der Standardwert 3.'],
    [{ setting: 'red_threshold', code: 'red_above_green', value: '90', default: '40', params: { red: 90, green: 70 } },
      '“Red below score” (90) must not be above “Green from score” (70). The default 40 applies.',
      '„Rot unter Score“ (90) darf nicht über „Grün ab Score“ (70) liegen. Es gilt der Standardwert 40.'],
    [{ setting: 'green_threshold', code: 'red_above_green', value: '30', default: '70', params: { red: 40, green: 30 } },
      '“Green from score” (30) must not be below “Red below score” (40). The default 70 applies.',
      '„Grün ab Score“ (30) darf nicht unter „Rot unter Score“ (40) liegen. Es gilt der Standardwert 70.'],
    [{ setting: 'weight_sla', code: 'not_a_number', value: 'abc', default: '3', params: {} },
      '“Weight: SLA”: “abc” is not a number. The default 3 applies.', null],
    [{ setting: 'window_days', code: 'out_of_range', value: '6', default: '90', params: { min: 7, max: 730 } },
      '“Time window (days)”: 6 is outside the allowed 7 to 730. The default 90 applies.', null],
    [{ setting: 'time_spent_field_id', code: 'not_positive', value: '0', default: null, params: {} },
      '“Time-spent ticket field ID”: 0 must be greater than 0. It is ignored.', null],
    [{ setting: 'sla_resolution_targets', code: 'invalid_target_minutes', value: '-5', default: '1440', params: { priority: 'high' } },
      '“SLA: resolution targets”: the high target “-5” isn\'t a number of minutes above 0. It stays at 1440.', null],
    [{ setting: 'recommendations', code: 'invalid_recommendation_line', value: 'nonsense', default: null, params: { line: 2 } },
      null, '„Empfohlene Maßnahmen“: Zeile 2 hat nicht die Form „sla.red: Text“ (Kennzahlen: balance, feedback, touchpoints, sla; Farben: yellow, red). Die Zeile wird ignoriert.'],
  ];
  for (const [problem, english, german] of cases) {
    if (english) assert.equal(settingsProblemText(problem, 'fallback', en), english);
    if (german) assert.equal(settingsProblemText(problem, 'fallback', de), german);
  }
});

test('an unknown code or a problem without a setting falls back to the English warning', () => {
  assert.equal(settingsProblemText({ setting: null, code: 'other' }, 'settings: unreadable', de), 'settings: unreadable');
  assert.equal(settingsProblemText({ setting: 'x', code: 'from_the_future' }, 'x: odd', en), 'x: odd');
  assert.equal(settingsProblemText(undefined, 'only English', en), 'only English');
});

test('the settings box is for admins only', () => {
  const report = healthReport({
    settings_warnings: ['weight_sla: -1 must be at least 0; using the default 3'],
    settings_problems: [{ setting: 'weight_sla', code: 'below_minimum', value: '-1', default: '3', params: { min: 0 } }],
  });
  assert.equal(renderSettingsProblems(report, en, AGENT), '');
  const admin = renderSettingsProblems(report, en, ADMIN);
  assert.match(admin, /Settings need attention/);
  assert.match(admin, /“Weight: SLA”: -1 is below the minimum of 0\./);
  assert.match(admin, /Only admins see this\./);
  assert.equal(renderSettingsProblems(healthReport(), en, ADMIN), '', 'no problems, no box');
});

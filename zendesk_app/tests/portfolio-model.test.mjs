import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  aucVerdict, focusOrganizations, histogram, isFirstSync, nextSort, parseSettingNumber, previewBody,
  sameSettings, settingsInForce, settingsToEnter, shares, sortDirection, tableQuery, thresholdProblem,
} from '../assets/portfolio-model.js';
import { firstSync, idleSync, portfolioAnswer } from './portfolio-fixtures.mjs';

test('settings come as strings or numbers; blanks and garbage are not numbers', () => {
  assert.equal(parseSettingNumber('3'), 3);
  assert.equal(parseSettingNumber(' 2.5 '), 2.5);
  assert.equal(parseSettingNumber(1), 1);
  for (const value of ['', '  ', 'high', null, undefined, true, 'NaN', 'Infinity']) {
    assert.equal(parseSettingNumber(value), null, String(value));
  }
});

test('in force: weights from the settings, thresholds from the portfolio, defaults otherwise', () => {
  const inForce = settingsInForce(
    { weight_sla: '1', weight_balance: 0, weight_feedback: '-2', weight_touchpoints: 'x', green_threshold: '90' },
    { green: 72.5, red: 35 },
  );
  assert.deepEqual(inForce, {
    weights: { balance: 0, feedback: 2, touchpoints: 1, sla: 1 },
    green: 72.5,
    red: 35,
  });
  // Without the backend's reading, the settings' own thresholds (valid ones) count.
  assert.deepEqual(settingsInForce({ green_threshold: '80', red_threshold: '120' }, null), {
    weights: { balance: 2, feedback: 2, touchpoints: 1, sla: 3 },
    green: 80,
    red: 40,
  });
});

test('the preview body is every what-if setting in Zendesk string form', () => {
  const candidate = { weights: { balance: 2, feedback: 0, touchpoints: 1, sla: 3 }, green: 71.2, red: 38.5 };
  assert.deepEqual(previewBody(candidate), {
    settings: {
      green_threshold: '71.2',
      red_threshold: '38.5',
      weight_balance: '2',
      weight_feedback: '0',
      weight_touchpoints: '1',
      weight_sla: '3',
    },
  });
});

test('only the changed settings are to be entered, in the settings page order', () => {
  const current = settingsInForce({}, { green: 70, red: 40 });
  const candidate = { weights: { ...current.weights, sla: 1, balance: 3 }, green: 71.2, red: 40 };
  assert.deepEqual(settingsToEnter(current, candidate), [
    { name: 'green_threshold', from: '70', to: '71.2' },
    { name: 'weight_balance', from: '2', to: '3' },
    { name: 'weight_sla', from: '3', to: '1' },
  ]);
  assert.deepEqual(settingsToEnter(current, current), []);
  assert.equal(sameSettings(current, { ...current, weights: { ...current.weights } }), true);
  assert.equal(sameSettings(current, candidate), false);
});

test('thresholds must be numbers from 0 to 100, red not above green', () => {
  const weights = { balance: 2, feedback: 2, touchpoints: 1, sla: 3 };
  assert.equal(thresholdProblem({ weights, green: 70, red: 40 }), null);
  assert.equal(thresholdProblem({ weights, green: 50, red: 50 }), null);
  assert.equal(thresholdProblem({ weights, green: 60, red: 61 }), 'order');
  assert.equal(thresholdProblem({ weights, green: null, red: 40 }), 'range');
  assert.equal(thresholdProblem({ weights, green: 101, red: 40 }), 'range');
  assert.equal(thresholdProblem({ weights, green: 70, red: -1 }), 'range');
});

test('shares are of the scored organizations; grey ones are counted apart', () => {
  const result = shares({ green: 12, yellow: 30, red: 10, grey: 8 });
  assert.equal(result.scored, 52);
  assert.equal(result.grey, 8);
  assert.ok(Math.abs(result.percent.green - 23.0769) < 1e-3);
  assert.ok(Math.abs(result.percent.green + result.percent.yellow + result.percent.red - 100) < 1e-9);
  assert.equal(shares({ green: 0, yellow: 0, red: 0, grey: 3 }), null);
  assert.equal(shares(undefined), null);
});

test('histogram: ten bands of ten points, 100 in the last, nulls left out', () => {
  const bins = histogram([0, 9.99, 10, 55, 99.9, 100, null, Number.NaN, 120, -5]);
  assert.equal(bins.length, 10);
  assert.deepEqual(bins.map((bin) => bin.count), [3, 1, 0, 0, 0, 1, 0, 0, 0, 3]);
  assert.deepEqual([bins[0].from, bins[0].to, bins[9].from, bins[9].to], [0, 10, 90, 100]);
});

test('sorting: a header click sorts ascending, a second one descending', () => {
  assert.equal(nextSort('score', 'score'), '-score');
  assert.equal(nextSort('-score', 'score'), 'score');
  assert.equal(nextSort('-score', 'name'), 'name');
  assert.equal(sortDirection('-potential', 'potential'), 'descending');
  assert.equal(sortDirection('potential', 'potential'), 'ascending');
  assert.equal(sortDirection('potential', 'score'), 'none');
});

test('the table query carries the set filters and the sort, in a stable order', () => {
  assert.deepEqual(tableQuery({ filters: { goal: 'missed', colour: 'red', phase: '' }, sort: '-score' }), [
    ['colour', 'red'], ['goal', 'missed'], ['sort', '-score'],
  ]);
  assert.deepEqual(tableQuery(), [['sort', 'score']]);
});

test('the first sync: never started, or the full sync running; incremental runs are not', () => {
  assert.equal(isFirstSync(firstSync()), true);
  assert.equal(isFirstSync(idleSync({ state: 'never' })), true);
  assert.equal(isFirstSync(idleSync({ state: 'running', phase: 'incremental' })), false);
  assert.equal(isFirstSync(idleSync({ state: 'failing' })), false);
  assert.equal(isFirstSync(null), false);
});

test('the AUC in words, none when the backtest has no groups', () => {
  assert.deepEqual([0.3, 0.5, 0.6, 0.7, 0.8, 0.9].map(aucVerdict), ['chance', 'chance', 'weak', 'fair', 'good', 'strong']);
  assert.equal(aucVerdict(null), null);
});

test('the focus list follows the focus ids and skips unknown ones', () => {
  const portfolio = portfolioAnswer({ focus: [9, 404, 42] });
  const { shown, total } = focusOrganizations(portfolio, 1);
  assert.deepEqual(shown.map((organization) => organization.id), [9]);
  assert.equal(total, 2);
});

// The portfolio endpoints (DESIGN §11, docs/api.md), signed exactly like the sidebar's request.
// Every call answers an outcome and never rejects: { kind: 'ok', body }, or the problem
// { kind: 'problem', code, status, detail } of api.js that the card words too.
import { classifyFailure, fetchHealth, signedRequestOptions } from './api.js';

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

// What a 200 must look like per endpoint; anything else is treated as a broken answer.
const SHAPES = {
  portfolio: (body) => isObject(body) && Array.isArray(body.organizations),
  csv: (body) => typeof body === 'string',
  calibration: (body) => isObject(body) && 'green_threshold' in body && 'red_threshold' in body,
  preview: (body) => isObject(body) && isObject(body.distribution) && Array.isArray(body.changes),
  backtest: (body) => isObject(body) && 'auc' in body,
  sync: (body) => isObject(body) && typeof body.state === 'string',
};

async function send(client, options, shape) {
  let body;
  try {
    body = await client.request(options);
  } catch (failure) {
    return classifyFailure(failure);
  }
  if (SHAPES[shape](body)) return { kind: 'ok', body };
  return { kind: 'problem', code: 'internal_error', status: 200, detail: `the answer is not a ${shape} answer` };
}

/**
 * The page's calls for one session: { backendUrl, subdomain, installationId, userId, language }.
 * `query` arguments are [name, value] pairs (portfolio-model.js tableQuery).
 */
export function portfolioApi(client, session) {
  const { language, ...identity } = session;
  const options = (path, extra = {}) => signedRequestOptions({ ...identity, path, ...extra });
  return {
    portfolio: (query = []) => send(client, options('/api/v1/portfolio', { query }), 'portfolio'),
    csv: (query = []) =>
      send(client, options('/api/v1/portfolio', { query: [...query, ['format', 'csv']], dataType: 'text' }), 'csv'),
    calibration: ({ green, red }) =>
      send(client, options('/api/v1/calibration', { query: [['green', green], ['red', red]] }), 'calibration'),
    preview: (body) => send(client, options('/api/v1/preview', { type: 'POST', body }), 'preview'),
    backtest: () => send(client, options('/api/v1/backtest'), 'backtest'),
    sync: () => send(client, options('/api/v1/sync'), 'sync'),
    health: (organizationId, { refresh = false } = {}) =>
      fetchHealth(client, { ...identity, organizationId, language, refresh }),
  };
}

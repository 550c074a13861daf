// The portfolio page's pure logic: settings in force and candidates, shares, histogram bins,
// sorting and sync states. No DOM and no requests, so Node's test runner covers all of it.

export const KPIS = ['balance', 'feedback', 'touchpoints', 'sla'];
export const BANDS = ['green', 'yellow', 'red'];
export const PHASES = ['onboarding', 'adoption', 'success'];
// DESIGN §6 defaults; the backend uses the same ones for a missing or invalid setting.
export const DEFAULT_WEIGHTS = { balance: 2, feedback: 2, touchpoints: 1, sla: 3 };
export const DEFAULT_THRESHOLDS = { green: 70, red: 40 };
export const WEIGHT_LEVELS = [0, 1, 2, 3]; // none, low, medium, high (DESIGN §7)
export const TARGET_SHARES = { green: 20, yellow: 60, red: 20 }; // DESIGN §1
export const HISTOGRAM_BINS = 10;
export const DEFAULT_SORT = 'score'; // lowest score first: who needs attention

/** The settings page's order, so "enter these values" reads top to bottom like the form. */
export const WHATIF_SETTINGS = [
  'green_threshold',
  'red_threshold',
  ...KPIS.map((kpi) => `weight_${kpi}`),
];

/** A setting as Zendesk returns it (string or number) as a number, or null. */
export function parseSettingNumber(value) {
  if (value === null || value === undefined || value === '' || typeof value === 'boolean') return null;
  const number = Number(String(value).trim());
  return String(value).trim() !== '' && Number.isFinite(number) ? number : null;
}

function isNumber(value) {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * The weights and thresholds in force: thresholds from the portfolio answer (the backend's
 * reading), weights from the installation settings, each falling back to its default the way
 * the backend does for an invalid value.
 */
export function settingsInForce(settings = {}, thresholds = null) {
  const weights = {};
  for (const kpi of KPIS) {
    const weight = parseSettingNumber(settings[`weight_${kpi}`]);
    weights[kpi] = weight !== null && weight >= 0 ? weight : DEFAULT_WEIGHTS[kpi];
  }
  const fromSettings = (name, fallback) => {
    const value = parseSettingNumber(settings[`${name}_threshold`]);
    return value !== null && value >= 0 && value <= 100 ? value : fallback;
  };
  return {
    weights,
    green: thresholds && isNumber(thresholds.green) ? thresholds.green : fromSettings('green', DEFAULT_THRESHOLDS.green),
    red: thresholds && isNumber(thresholds.red) ? thresholds.red : fromSettings('red', DEFAULT_THRESHOLDS.red),
  };
}

/** A candidate as setting name → value, numbers only (null for an empty threshold field). */
export function settingValues(candidate) {
  const values = { green_threshold: candidate.green, red_threshold: candidate.red };
  for (const kpi of KPIS) values[`weight_${kpi}`] = candidate.weights[kpi];
  return values;
}

/** The value to type into a number field of the settings page: plain digits, a dot. */
export function settingText(value) {
  return isNumber(value) ? String(value) : '';
}

/** POST /api/v1/preview's body: the candidate in Zendesk's string form (DESIGN §11). */
export function previewBody(candidate) {
  const settings = {};
  for (const [name, value] of Object.entries(settingValues(candidate))) settings[name] = settingText(value);
  return { settings };
}

export function sameSettings(a, b) {
  const left = settingValues(a);
  const right = settingValues(b);
  return WHATIF_SETTINGS.every((name) => left[name] === right[name]);
}

export function sameWeights(a, b) {
  return KPIS.every((kpi) => a.weights[kpi] === b.weights[kpi]);
}

/** The settings whose candidate value differs from the one in force, in the form's order. */
export function settingsToEnter(current, candidate) {
  const before = settingValues(current);
  const after = settingValues(candidate);
  return WHATIF_SETTINGS.filter((name) => before[name] !== after[name]).map((name) => ({
    name,
    from: settingText(before[name]),
    to: settingText(after[name]),
  }));
}

/** Why the candidate's thresholds cannot be tried, or null: 'range' or 'order'. */
export function thresholdProblem(candidate) {
  const { green, red } = candidate;
  if (!isNumber(green) || !isNumber(red) || green < 0 || green > 100 || red < 0 || red > 100) return 'range';
  if (red > green) return 'order';
  return null;
}

/** Percent of the scored (non-grey) organizations per band, or null when none is scored. */
export function shares(distribution) {
  const counts = {};
  for (const band of BANDS) counts[band] = Math.max(0, Number(distribution && distribution[band]) || 0);
  const scored = counts.green + counts.yellow + counts.red;
  if (!scored) return null;
  const percent = {};
  for (const band of BANDS) percent[band] = (100 * counts[band]) / scored;
  return { counts, percent, scored, grey: Math.max(0, Number(distribution && distribution.grey) || 0) };
}

/** Organizations per score band of 100 / bins points; a score of 100 counts in the last band. */
export function histogram(scores, bins = HISTOGRAM_BINS) {
  const width = 100 / bins;
  const result = Array.from({ length: bins }, (_, index) => ({ from: index * width, to: (index + 1) * width, count: 0 }));
  for (const score of scores) {
    if (!isNumber(score)) continue;
    const clamped = Math.min(100, Math.max(0, score));
    result[Math.min(bins - 1, Math.floor(clamped / width))].count += 1;
  }
  return result;
}

export function scoresOf(organizations) {
  return (organizations || []).map((organization) => organization.score).filter(isNumber);
}

/** The `sort` after a click on `field`'s header: ascending first, then descending, and back. */
export function nextSort(current, field) {
  return current === field ? `-${field}` : field;
}

/** aria-sort of a column for the current `sort`. */
export function sortDirection(sort, field) {
  if (sort === field) return 'ascending';
  if (sort === `-${field}`) return 'descending';
  return 'none';
}

/** The table's query: filters and sort as [name, value] pairs, empty filters left out. */
export function tableQuery({ filters = {}, sort = DEFAULT_SORT } = {}) {
  const query = [];
  for (const name of ['colour', 'phase', 'goal']) if (filters[name]) query.push([name, filters[name]]);
  if (sort) query.push(['sort', sort]);
  return query;
}

/** True while the account's first full sync runs (or has not started): figures are partial. */
export function isFirstSync(sync) {
  if (!sync || typeof sync !== 'object') return false;
  return sync.state === 'never' || (sync.state === 'running' && sync.phase === 'full');
}

/** The backtest's ROC AUC in words: how well a low score singled out churned organizations. */
export function aucVerdict(auc) {
  if (!isNumber(auc)) return null;
  if (auc < 0.55) return 'chance';
  if (auc < 0.65) return 'weak';
  if (auc < 0.75) return 'fair';
  if (auc < 0.85) return 'good';
  return 'strong';
}

/** The focus list (ids, highest potential first) as organizations, at most `limit`. */
export function focusOrganizations(portfolio, limit) {
  const byId = new Map((portfolio.organizations || []).map((organization) => [organization.id, organization]));
  const found = (portfolio.focus || []).map((id) => byId.get(id)).filter(Boolean);
  return { shown: found.slice(0, limit), total: found.length };
}

// What went wrong, worded for the agent: a title and a sentence that says whether to wait or
// who must fix it. The backend's technical detail is shown to admins only. Pure functions.
import { escapeHtml } from './format.js';

/** Codes the card words itself; the backend's are those of docs/api.md "Errors". */
const WORDED = new Set([
  'no_organization',
  'not_configured',
  'outside_zendesk',
  'backend_unreachable',
  'invalid_token',
  'unknown_installation',
  'organization_not_found',
  'invalid_request',
  'not_found',
  'zendesk_unavailable',
  'zendesk_rate_limited',
  'zendesk_credentials',
  'zendesk_not_configured',
  'database_unavailable',
  'internal_error',
]);
const SAME_AS = { method_not_allowed: 'not_found', http_error: 'internal_error' };
/** Normal states, not failures: announced politely, and no retry (nothing it could change). */
const CALM = new Set(['no_organization', 'not_configured', 'outside_zendesk']);

/** The code the card words: the backend's, an alias, or one chosen by the HTTP status. */
export function wordedCode(problem) {
  const code = problem && problem.code;
  if (WORDED.has(code)) return code;
  if (SAME_AS[code]) return SAME_AS[code];
  const status = Number(problem && problem.status) || 0;
  if (status === 401 || status === 403) return 'invalid_token';
  if (status === 404) return 'not_found';
  if (status === 400 || status === 422) return 'invalid_request';
  return 'internal_error';
}

/** The technical detail of a failure, for admins only ('' for agents), marked as such. */
export function renderAdminDetail(detail, t, view = {}) {
  if (!view.isAdmin || !detail) return '';
  return [
    '<p class="message__detail">',
    `<span class="message__detail-label">${escapeHtml(t('admin_detail'))}</span> `,
    `<code>${escapeHtml(detail)}</code>`,
    '</p>',
  ].join('');
}

/**
 * A problem in words: { code, title, body } where `code` is the one worded (wordedCode) and
 * `body` says whether to wait or who must act ('' when the code has no sentence).
 */
export function problemWords(problem, t) {
  const code = wordedCode(problem);
  const setting = t(`setting_${problem.setting || 'backend_url'}`);
  // In a user's profile there is no requester: the sentence names the user instead.
  const bodyKey =
    code === 'no_organization' && problem.location === 'user_sidebar'
      ? 'error_no_organization_user_body'
      : `error_${code}_body`;
  const body = t(bodyKey) === bodyKey ? '' : t(bodyKey, { setting });
  return { code, title: t(`error_${code}_title`), body };
}

/**
 * Every state but the card: `problem` = { code, status?, detail?, setting?, location? }.
 * `view.isAdmin` shows the technical detail; agents get only the human sentence.
 * `view.retryAction` is the retry button's data-action (default "retry").
 */
export function renderProblem(problem, t, view = {}) {
  const { code, title, body } = problemWords(problem, t);
  const calm = CALM.has(code);
  const retry = calm
    ? ''
    : `<button type="button" class="btn" data-action="${escapeHtml(view.retryAction || 'retry')}">${escapeHtml(t('retry'))}</button>`;
  return [
    `<section class="message message--${calm ? 'calm' : 'failure'}" role="${calm ? 'status' : 'alert'}" data-state="problem" data-code="${code}">`,
    `<h2 class="message__title">${escapeHtml(title)}</h2>`,
    body ? `<p class="message__body">${escapeHtml(body)}</p>` : '',
    renderAdminDetail(problem.detail, t, view),
    retry,
    '</section>',
  ].join('');
}

/** The note above a stale card: why the figures may be old, worded by `stale_code`. */
export function renderStale(report, t, view = {}) {
  if (!report.stale) return '';
  const codeKey = `stale_body_${report.stale_code}`;
  const body = report.stale_code && t(codeKey) !== codeKey ? t(codeKey) : t('stale_body');
  return [
    '<div class="stale" role="status" data-state="stale">',
    `<strong>${escapeHtml(t('stale_title'))}</strong> `,
    `<span class="stale__body">${escapeHtml(body)}</span>`,
    renderAdminDetail(report.stale_reason, t, view),
    '</div>',
  ].join('');
}

const CONSEQUENCE_CODES = new Set([
  'not_a_number',
  'not_whole_number',
  'out_of_range',
  'below_minimum',
  'not_positive',
  'not_text',
  'red_above_green',
  'good_equals_bad',
]);

/**
 * One settings problem as a sentence in the admin's language, naming the setting by its label
 * on the settings page; `fallback` (the English warning) when the code is not one we word.
 */
export function settingsProblemText(problem, fallback, t) {
  // The rule between the two thresholds reads from the side of the setting that broke it.
  const code = problem && problem.code === 'red_above_green' && problem.setting === 'green_threshold'
    ? 'green_below_red'
    : problem && problem.code;
  const key = `problem_${code}`;
  if (!problem || !problem.setting || t(key) === key) return fallback || '';
  const params = problem.params && typeof problem.params === 'object' ? problem.params : {};
  const labelKey = `setting_${problem.setting}`;
  const label = t(labelKey) === labelKey ? problem.setting : t(labelKey); // a newer setting
  const consequence = CONSEQUENCE_CODES.has(problem.code)
    ? problem.default === null || problem.default === undefined
      ? t('problem_ignored')
      : t('problem_uses_default', { default: problem.default })
    : '';
  return t(key, {
    ...params,
    label,
    value: problem.value ?? '',
    default: problem.default ?? '',
    consequence,
    red_label: t('setting_red_threshold'),
    green_label: t('setting_green_threshold'),
  }).trim();
}

/** The admins' box of settings problems (settings_problems, else the English warnings). */
export function renderSettingsProblems(report, t, view = {}) {
  if (!view.isAdmin) return '';
  const warnings = Array.isArray(report.settings_warnings) ? report.settings_warnings : [];
  const problems = Array.isArray(report.settings_problems) ? report.settings_problems : [];
  const count = Math.max(warnings.length, problems.length);
  if (!count) return '';
  const items = [];
  for (let i = 0; i < count; i += 1) {
    const text = settingsProblemText(problems[i], warnings[i], t);
    if (text) items.push(`<li>${escapeHtml(text)}</li>`);
  }
  if (!items.length) return '';
  return [
    '<section class="settings-problems" role="note" aria-labelledby="settings-problems-title" data-state="settings-problems">',
    `<h3 class="settings-problems__title" id="settings-problems-title">${escapeHtml(t('settings_problems_title'))}</h3>`,
    `<ul class="settings-problems__list">${items.join('')}</ul>`,
    `<p class="settings-problems__note">${escapeHtml(t('settings_problems_note'))}</p>`,
    '</section>',
  ].join('');
}

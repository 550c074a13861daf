// The health card as HTML strings: pure functions of (answer, translate, now, view), so they
// run in Node's test runner without a DOM. Every text from outside is escaped here.
// `view` = { isAdmin, allRecommendations }: what this agent sees and has expanded.
import { renderHistory } from './chart.js';
import {
  escapeHtml,
  formatDelta,
  formatMinutes,
  formatNumber,
  formatScore,
  formatValue,
  pointsToGo,
  timeAgo,
} from './format.js';
import { renderSettingsProblems, renderStale } from './messages.js';

export { renderProblem } from './messages.js';

const COLOURS = new Set(['green', 'yellow', 'red', 'grey']);
const RING_RADIUS = 34;
const RING_CIRCUMFERENCE = 2 * Math.PI * RING_RADIUS;
export const RECOMMENDATIONS_SHOWN = 2;

function colourOf(value) {
  return COLOURS.has(value) ? value : 'grey';
}

function isNumber(value) {
  return value !== null && value !== undefined && value !== '' && Number.isFinite(Number(value));
}

export function renderLoading(t, text = t('loading')) {
  return [
    '<section class="message message--loading" role="status" data-state="loading" aria-busy="true">',
    '<span class="spinner" aria-hidden="true"></span>',
    `<p class="message__body">${escapeHtml(text)}</p>`,
    '</section>',
  ].join('');
}

export function renderComputing(progress, t) {
  const fetched = Number(progress && progress.fetched);
  const total = Number(progress && progress.total);
  const known = Number.isFinite(fetched) && Number.isFinite(total) && total > 0;
  const percent = known ? Math.min(100, Math.max(0, Math.round((100 * fetched) / total))) : 0;
  const label = known
    ? t('computing_progress', { fetched: formatNumber(fetched, t.language), total: formatNumber(total, t.language) })
    : t('computing_progress_unknown');
  const bar = known
    ? `<div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${percent}" aria-label="${escapeHtml(label)}"><div class="progress__fill" style="width:${percent}%"></div></div>`
    : `<div class="progress progress--indeterminate" role="progressbar" aria-label="${escapeHtml(label)}"><div class="progress__fill"></div></div>`;
  return [
    '<section class="message message--computing" role="status" data-state="computing" aria-busy="true">',
    `<h2 class="message__title">${escapeHtml(t('computing_title'))}</h2>`,
    bar,
    `<p class="message__body">${escapeHtml(label)}</p>`,
    '</section>',
  ].join('');
}

export function renderRing(score, colour, t) {
  const shown = colourOf(colour);
  const word = t(`colour_${shown}`);
  const hasScore = isNumber(score);
  const filled = hasScore ? (Math.min(100, Math.max(0, Number(score))) / 100) * RING_CIRCUMFERENCE : 0;
  const label = hasScore ? t('score_label', { score: formatScore(score, t.language), word }) : t('score_label_none');
  return [
    `<div class="score score--${shown}" role="img" aria-label="${escapeHtml(label)}">`,
    '<svg class="score__ring" viewBox="0 0 80 80" width="80" height="80" aria-hidden="true" focusable="false">',
    `<circle class="score__track" cx="40" cy="40" r="${RING_RADIUS}"></circle>`,
    `<circle class="score__arc" cx="40" cy="40" r="${RING_RADIUS}" stroke-dasharray="${filled.toFixed(2)} ${RING_CIRCUMFERENCE.toFixed(2)}" transform="rotate(-90 40 40)"></circle>`,
    `<text class="score__value" x="40" y="40" text-anchor="middle" dominant-baseline="central">${escapeHtml(formatScore(score, t.language))}</text>`,
    '</svg>',
    `<span class="score__word">${escapeHtml(word)}</span>`,
    '</div>',
  ].join('');
}

export function renderTrend(trend, t) {
  const delta = trend && trend.delta_30d;
  let text;
  let label;
  let direction;
  if (!isNumber(delta)) {
    direction = 'none';
    text = t('trend_none');
    label = text;
  } else if (Math.abs(delta) < 0.05) {
    direction = 'flat';
    text = t('trend_flat');
    label = text;
  } else {
    direction = delta > 0 ? 'up' : 'down';
    const shown = formatDelta(delta, t.language);
    text = t(`trend_${direction}`, { delta: shown });
    label = t(`trend_${direction}_label`, { delta: shown });
  }
  return `<p class="trend trend--${direction}" aria-label="${escapeHtml(label)}">${escapeHtml(text)}</p>`;
}

/** Why a KPI has no value, in the agent's language when the backend gave a known code. */
export function kpiReason(detail, windowDays, t) {
  if (!detail) return '';
  const code = detail.reason_code;
  if (code && t(`reason_${code}`) !== `reason_${code}`) {
    return t(`reason_${code}`, {
      n: formatNumber(Number(detail.sample_size ?? 0), t.language),
      min: formatNumber(Number(detail.min_sample ?? 0), t.language),
      days: formatNumber(Number(windowDays ?? 0), t.language),
      field: detail.revenue_field ?? '',
    });
  }
  return detail.reason || '';
}

/** What a drill-down ticket did to the KPI, in words: "first reply after 9 h (target 4 h)". */
export function drillReason(ticket, t) {
  switch (ticket.reason) {
    case 'bad_rating':
      return t('drill_bad_rating');
    case 'many_replies':
      return t('drill_many_replies', { n: formatNumber(ticket.value, t.language) });
    case 'missed_first_reply':
    case 'missed_resolution':
      return t(`drill_${ticket.reason}`, {
        value: formatMinutes(ticket.value, t),
        target: formatMinutes(ticket.target, t),
      });
    case 'high_handle_time':
      return t('drill_high_handle_time', { value: formatMinutes(Number(ticket.value) * 60, t) });
    default:
      return '';
  }
}

function renderDrillDown(kpi, t) {
  const tickets = (Array.isArray(kpi.tickets) ? kpi.tickets : []).filter(
    (ticket) => ticket && Number.isInteger(Number(ticket.id)) && Number(ticket.id) > 0,
  );
  if (!tickets.length) return '';
  const items = tickets.map((ticket) => {
    const id = String(Number(ticket.id));
    const reason = drillReason(ticket, t);
    return [
      '<li class="kpi__ticket">',
      `<button type="button" class="link" data-action="open-ticket" data-ticket-id="${id}" aria-label="${escapeHtml(t('open_ticket', { id }))}">#${id}</button>`,
      reason ? ` <span class="kpi__ticket-reason">${escapeHtml(reason)}</span>` : '',
      '</li>',
    ].join('');
  });
  return [
    `<div class="kpi__drill"><p class="kpi__drill-title">${escapeHtml(t('drill_heading'))}</p>`,
    `<ul class="kpi__tickets">${items.join('')}</ul></div>`,
  ].join('');
}

/**
 * The value on its own scale: the bar runs from the *bad* threshold (score 0) on the left to
 * the *good* one (score 100) on the right, so its length is the score and the ends say why.
 */
function renderScale(kpi, name, value, colour, t) {
  const score = Math.min(100, Math.max(0, Number(kpi.score) || 0));
  const thresholds = kpi.thresholds || {};
  const hasScale = isNumber(thresholds.good) && isNumber(thresholds.bad);
  const bad = hasScale ? formatValue(thresholds.bad, kpi.unit, t.language) : '';
  const good = hasScale ? formatValue(thresholds.good, kpi.unit, t.language) : '';
  const meaning = t('kpi_meter_text', {
    value,
    score: formatScore(kpi.score, t.language),
    word: t(`colour_${colour}`),
    bad,
    good,
  });
  return [
    `<span class="kpi__bar" role="meter" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${Math.round(score)}" aria-label="${escapeHtml(t('kpi_meter_label', { kpi: name }))}" aria-valuetext="${escapeHtml(meaning)}">`,
    `<span class="kpi__fill" style="width:${score.toFixed(0)}%"></span></span>`,
    hasScale
      ? `<span class="kpi__ends" aria-hidden="true"><span class="kpi__end kpi__end--bad">${escapeHtml(t('scale_bad', { value: bad }))}</span><span class="kpi__end kpi__end--good">${escapeHtml(t('scale_good', { value: good }))}</span></span>`
      : '',
  ].join('');
}

export function renderKpi(kpi, t, windowDays) {
  const colour = colourOf(kpi.colour);
  const name = t(`kpi_${kpi.key}`);
  const hasValue = isNumber(kpi.value) && colour !== 'grey';
  const sample = Number(kpi.sample_size);
  const title = Number.isFinite(sample)
    ? t(sample === 1 ? 'sample_size_one' : 'sample_size_other', { n: formatNumber(sample, t.language) })
    : '';
  const titleAttr = title ? ` title="${escapeHtml(title)}"` : '';
  const uncounted =
    Number(kpi.weight) === 0 ? `<span class="kpi__note">${escapeHtml(t('kpi_not_counted'))}</span>` : '';
  if (!hasValue) {
    const reason = kpiReason({ ...kpi.detail, sample_size: kpi.sample_size }, windowDays, t);
    return [
      `<li class="kpi kpi--grey" data-kpi="${escapeHtml(kpi.key)}"${titleAttr}>`,
      `<span class="kpi__name">${escapeHtml(name)}</span>`,
      `<span class="kpi__value kpi__value--none">${escapeHtml(t('not_enough_data'))}</span>`,
      reason ? `<span class="kpi__reason">${escapeHtml(reason)}</span>` : '',
      uncounted,
      '</li>',
    ].join('');
  }
  const value = t(`value_${kpi.key}`, { value: formatValue(kpi.value, kpi.unit, t.language) });
  return [
    `<li class="kpi kpi--${colour}" data-kpi="${escapeHtml(kpi.key)}"${titleAttr}>`,
    // The colour is never the only sign: its word stands beside the name, as on the ring.
    `<span class="kpi__name">${escapeHtml(name)} <span class="kpi__word">${escapeHtml(t(`colour_${colour}`))}</span></span>`,
    `<span class="kpi__value">${escapeHtml(value)}</span>`,
    renderScale(kpi, name, value, colour, t),
    uncounted,
    colour === 'yellow' || colour === 'red' ? renderDrillDown(kpi, t) : '',
    '</li>',
  ].join('');
}

export function renderRecommendations(recommendations, t, view = {}) {
  const all = Array.isArray(recommendations) ? recommendations : [];
  if (!all.length) return '';
  const hidden = all.length - RECOMMENDATIONS_SHOWN;
  const shown = view.allRecommendations ? all : all.slice(0, RECOMMENDATIONS_SHOWN);
  let toggle = '';
  if (hidden > 0) {
    const label = view.allRecommendations
      ? t('recommendations_fewer')
      : t(hidden === 1 ? 'recommendations_more_one' : 'recommendations_more_other', { n: hidden });
    toggle = `<button type="button" class="link recommendations__toggle" data-action="more-recommendations" aria-expanded="${view.allRecommendations ? 'true' : 'false'}" aria-controls="recommendations-list">${escapeHtml(label)}</button>`;
  }
  return [
    '<section class="recommendations">',
    `<h3 class="section-title">${escapeHtml(t('recommendations_heading'))}</h3>`,
    '<ul class="recommendations__list" id="recommendations-list">',
    ...shown.map(
      (item) =>
        // The KPI's name is a line of its own ("SLA" above "SLA targets are being missed"),
        // and a colon keeps the two apart for screen readers.
        `<li class="recommendation recommendation--${colourOf(item.colour)}"><span class="recommendation__kpi">${escapeHtml(t(`kpi_${item.kpi}`))}<span class="sr-only">:</span></span> ${escapeHtml(item.text)}</li>`,
    ),
    '</ul>',
    toggle,
    '</section>',
  ].join('');
}

export function renderGoal(goal, t) {
  if (!goal || !isNumber(goal.target)) return '';
  if (goal.reached) {
    return `<p class="goal goal--reached">${escapeHtml(t('goal_reached'))} · ${escapeHtml(formatNumber(goal.target, t.language))}</p>`;
  }
  if (!isNumber(goal.gap)) return '';
  const n = pointsToGo(goal.gap);
  const text = t(n === 1 ? 'goal_gap_one' : 'goal_gap_other', { target: formatNumber(goal.target, t.language), n });
  return `<p class="goal">${escapeHtml(text)}</p>`;
}

export function renderFreshness(report, now, t) {
  const ago = timeAgo(report.data_as_of || report.computed_at, now, t);
  // While the backend recomputes (`refreshing`), the card says so; it asks again by itself.
  const parts = [ago ? t('updated', { ago }) : '', report.refreshing ? t('refreshing') : ''].filter(Boolean);
  return [
    '<footer class="freshness">',
    parts.length
      ? `<span class="freshness__ago">${escapeHtml(parts.join(' · '))}</span>`
      : '<span></span>',
    // The visible word is the accessible name; the longer hint is only a description.
    `<button type="button" class="btn" data-action="refresh" title="${escapeHtml(t('refresh_hint'))}">${escapeHtml(t('refresh'))}</button>`,
    '</footer>',
  ].join('');
}

/** The lifecycle phase chip: its tooltip, and for screen readers its text, say what it means. */
function renderPhase(phase, t) {
  if (!['onboarding', 'adoption', 'success'].includes(phase)) return '';
  const explanation = t(`phase_explain_${phase}`);
  return [
    `<span class="tag" title="${escapeHtml(explanation)}">`,
    `<span class="sr-only">${escapeHtml(t('phase_label'))}: </span>`,
    `<span aria-hidden="true">${escapeHtml(t(`phase_${phase}`))}</span>`,
    `<span class="sr-only">${escapeHtml(explanation)}</span>`,
    '</span>',
  ].join('');
}

/** The health card for a 200 answer (DESIGN §5 and docs/api.md). */
export function renderReport(report, t, now, view = {}) {
  const organization = report.organization || {};
  const kpis = Array.isArray(report.kpis) ? report.kpis : [];
  return [
    `<article class="card" data-state="report" aria-labelledby="org-name">`,
    renderSettingsProblems(report, t, view),
    '<header class="card__header">',
    `<h2 class="card__title" id="org-name">${escapeHtml(organization.name || '')}</h2>`,
    renderPhase(report.phase, t),
    '</header>',
    renderStale(report, t, view),
    '<div class="card__summary">',
    renderRing(report.score, report.colour, t),
    '<div class="card__summary-text">',
    renderGoal(report.goal, t),
    renderTrend(report.trend, t),
    report.window_days ? `<p class="hint">${escapeHtml(t('window', { days: report.window_days }))}</p>` : '',
    '</div></div>',
    renderHistory(report.trend && report.trend.history, report.thresholds, t),
    '<section class="kpis">',
    `<h3 class="section-title">${escapeHtml(t('kpis_heading'))}</h3>`,
    '<ul class="kpis__list">',
    ...kpis.map((kpi) => renderKpi(kpi, t, report.window_days)),
    '</ul></section>',
    renderRecommendations(report.recommendations, t, view),
    renderFreshness(report, now, t),
    '</article>',
  ].join('');
}

// The sidebar's views as HTML strings: pure functions of (state, translate, now), so they run
// in Node's test runner without a DOM. Every text from outside is escaped here.
import {
  escapeHtml,
  formatDelta,
  formatNumber,
  formatScore,
  formatValue,
  pointsToGo,
  timeAgo,
} from './format.js';

const COLOURS = new Set(['green', 'yellow', 'red', 'grey']);
const RING_RADIUS = 34;
const RING_CIRCUMFERENCE = 2 * Math.PI * RING_RADIUS;

function colourOf(value) {
  return COLOURS.has(value) ? value : 'grey';
}

function button(action, label, ariaLabel) {
  const aria = ariaLabel ? ` aria-label="${escapeHtml(ariaLabel)}"` : '';
  return `<button type="button" class="btn" data-action="${action}"${aria}>${escapeHtml(label)}</button>`;
}

function message({ kind, title, body, detail, action }) {
  const role = kind === 'loading' || kind === 'computing' ? 'status' : 'alert';
  return [
    `<section class="message message--${kind}" role="${role}" data-state="${kind}">`,
    `<h2 class="message__title">${escapeHtml(title)}</h2>`,
    body ? `<p class="message__body">${escapeHtml(body)}</p>` : '',
    detail ? `<p class="message__detail"><code>${escapeHtml(detail)}</code></p>` : '',
    action || '',
    '</section>',
  ].join('');
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

/** Every non-report state: no-organization, not-configured, unreachable, unauthorized, … */
export function renderProblem(problem, t) {
  const retry = button('retry', t('retry'));
  switch (problem.kind) {
    case 'no-organization':
      return message({ kind: problem.kind, title: t('no_organization_title'), body: t('no_organization_body') });
    case 'not-configured':
      return message({
        kind: problem.kind,
        title: t('not_configured_title'),
        body: t('not_configured_body', { setting: problem.setting }),
      });
    case 'outside-zendesk':
      return message({ kind: problem.kind, title: t('outside_zendesk') });
    case 'unauthorized':
      return message({
        kind: problem.kind,
        title: t('unauthorized_title'),
        body: t('unauthorized_body'),
        detail: problem.detail,
        action: retry,
      });
    case 'not-found':
    case 'invalid':
    case 'unavailable':
    case 'unreachable': {
      const key = problem.kind.replace('-', '_');
      return message({
        kind: problem.kind,
        title: t(`${key}_title`),
        body: t(`${key}_body`),
        detail: problem.detail,
        action: retry,
      });
    }
    default:
      return message({
        kind: 'error',
        title: t('error_title'),
        body: t('error_body', { status: problem.status || '?' }),
        detail: problem.detail,
        action: retry,
      });
  }
}

export function renderRing(score, colour, t) {
  const shown = colourOf(colour);
  const word = t(`colour_${shown}`);
  const hasScore = score !== null && score !== undefined && Number.isFinite(Number(score));
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

export function renderTrend(trend, windowDays, t) {
  const delta = trend && trend.delta_30d;
  let text;
  let label;
  let direction;
  if (delta === null || delta === undefined || !Number.isFinite(Number(delta))) {
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
  return [
    '<div class="trend">',
    `<span class="trend__delta trend__delta--${direction}" aria-label="${escapeHtml(label)}">${escapeHtml(text)}</span>`,
    renderSparkline(trend && trend.history, windowDays || 90, t),
    '</div>',
  ].join('');
}

const SPARK_WIDTH = 120;
const SPARK_HEIGHT = 28;

export function renderSparkline(history, days, t) {
  const points = (Array.isArray(history) ? history : []).filter(
    (point) => point && Number.isFinite(Number(point.score)),
  );
  if (points.length < 2) return '';
  const step = SPARK_WIDTH / (points.length - 1);
  const y = (score) => (SPARK_HEIGHT - 2 - ((SPARK_HEIGHT - 4) * Math.min(100, Math.max(0, score))) / 100).toFixed(1);
  const coords = points.map((point, index) => `${(index * step).toFixed(1)},${y(Number(point.score))}`).join(' ');
  const label = t('sparkline_label', {
    days,
    first: formatScore(points[0].score, t.language),
    last: formatScore(points[points.length - 1].score, t.language),
  });
  return [
    `<svg class="sparkline" viewBox="0 0 ${SPARK_WIDTH} ${SPARK_HEIGHT}" width="${SPARK_WIDTH}" height="${SPARK_HEIGHT}" role="img" aria-label="${escapeHtml(label)}" preserveAspectRatio="none">`,
    `<polyline class="sparkline__line" points="${coords}"></polyline>`,
    '</svg>',
  ].join('');
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

export function renderKpi(kpi, t, windowDays) {
  const colour = colourOf(kpi.colour);
  const name = t(`kpi_${kpi.key}`);
  const hasValue = kpi.value !== null && kpi.value !== undefined && colour !== 'grey';
  const sample = Number(kpi.sample_size);
  const title = Number.isFinite(sample)
    ? t(sample === 1 ? 'sample_size_one' : 'sample_size_other', { n: formatNumber(sample, t.language) })
    : '';
  const titleAttr = title ? ` title="${escapeHtml(title)}"` : '';
  if (!hasValue) {
    const reason = kpiReason({ ...kpi.detail, sample_size: kpi.sample_size }, windowDays, t);
    return [
      `<li class="kpi kpi--grey" data-kpi="${escapeHtml(kpi.key)}"${titleAttr}>`,
      `<span class="kpi__name">${escapeHtml(name)}</span>`,
      `<span class="kpi__value kpi__value--none">${escapeHtml(t('not_enough_data'))}</span>`,
      reason ? `<span class="kpi__reason">${escapeHtml(reason)}</span>` : '',
      '</li>',
    ].join('');
  }
  const value = t(`value_${kpi.key}`, { value: formatValue(kpi.value, kpi.unit, t.language) });
  const score = Math.min(100, Math.max(0, Number(kpi.score) || 0));
  const scoreLabel = t('kpi_score_label', {
    kpi: name,
    score: formatScore(kpi.score, t.language),
    word: t(`colour_${colour}`),
  });
  return [
    `<li class="kpi kpi--${colour}" data-kpi="${escapeHtml(kpi.key)}"${titleAttr}>`,
    `<span class="kpi__name">${escapeHtml(name)}</span>`,
    `<span class="kpi__value">${escapeHtml(value)}</span>`,
    `<span class="kpi__bar" role="meter" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${Math.round(score)}" aria-label="${escapeHtml(scoreLabel)}">`,
    `<span class="kpi__fill" style="width:${score.toFixed(0)}%"></span></span>`,
    '</li>',
  ].join('');
}

export function renderRecommendations(recommendations, t) {
  const top = (Array.isArray(recommendations) ? recommendations : []).slice(0, 2);
  if (!top.length) return '';
  return [
    '<section class="recommendations">',
    `<h3 class="section-title">${escapeHtml(t('recommendations_heading'))}</h3>`,
    '<ul class="recommendations__list">',
    ...top.map(
      (item) =>
        `<li class="recommendation recommendation--${colourOf(item.colour)}"><span class="recommendation__kpi">${escapeHtml(t(`kpi_${item.kpi}`))}</span> ${escapeHtml(item.text)}</li>`,
    ),
    '</ul></section>',
  ].join('');
}

export function renderGoal(goal, t) {
  if (!goal || goal.target === null || goal.target === undefined) return '';
  if (goal.reached) {
    return `<p class="goal goal--reached">${escapeHtml(t('goal_reached'))} · ${escapeHtml(formatNumber(goal.target, t.language))}</p>`;
  }
  if (goal.gap === null || goal.gap === undefined) return '';
  const n = pointsToGo(goal.gap);
  const text = t(n === 1 ? 'goal_gap_one' : 'goal_gap_other', { target: formatNumber(goal.target, t.language), n });
  return `<p class="goal">${escapeHtml(text)}</p>`;
}

export function renderFreshness(report, now, t) {
  const ago = timeAgo(report.data_as_of || report.computed_at, now, t);
  const stale = report.stale
    ? [
        '<div class="stale" role="alert">',
        `<strong>${escapeHtml(t('stale_title'))}</strong> `,
        `<span>${escapeHtml(t('stale_body'))}</span>`,
        report.stale_reason ? ` <span class="stale__reason">${escapeHtml(report.stale_reason)}</span>` : '',
        '</div>',
      ].join('')
    : '';
  return [
    stale,
    '<footer class="freshness">',
    ago ? `<span class="freshness__ago">${escapeHtml(t('updated', { ago }))}</span>` : '<span></span>',
    button('refresh', t('refresh'), t('refresh_label')),
    '</footer>',
  ].join('');
}

/** The health card for a 200 answer (DESIGN §5). */
export function renderReport(report, t, now) {
  const organization = report.organization || {};
  const phase = report.phase ? t(`phase_${report.phase}`) : '';
  const kpis = Array.isArray(report.kpis) ? report.kpis : [];
  return [
    `<article class="card" data-state="report" aria-labelledby="org-name">`,
    '<header class="card__header">',
    `<h2 class="card__title" id="org-name">${escapeHtml(organization.name || '')}</h2>`,
    phase ? `<span class="tag" aria-label="${escapeHtml(`${t('phase_label')}: ${phase}`)}">${escapeHtml(phase)}</span>` : '',
    '</header>',
    '<div class="card__summary">',
    renderRing(report.score, report.colour, t),
    '<div class="card__summary-text">',
    renderGoal(report.goal, t),
    renderTrend(report.trend, report.window_days, t),
    report.window_days ? `<p class="hint">${escapeHtml(t('window', { days: report.window_days }))}</p>` : '',
    '</div></div>',
    '<section class="kpis">',
    `<h3 class="section-title">${escapeHtml(t('kpis_heading'))}</h3>`,
    '<ul class="kpis__list">',
    ...kpis.map((kpi) => renderKpi(kpi, t, report.window_days)),
    '</ul></section>',
    renderRecommendations(report.recommendations, t),
    renderFreshness(report, now, t),
    '</article>',
  ].join('');
}

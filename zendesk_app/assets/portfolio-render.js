// The portfolio page's views as HTML strings, one function per region of the page: pure
// functions of (state, translate, view), like render.js, so they run in Node without a DOM.
// `view` = { isAdmin }: only admins see the backend's technical details, as on the card.
// Failures are worded by messages.js, the card's wording of each docs/api.md code.
import { escapeHtml, formatDelta, formatNumber, formatScore, pointsToGo, timeAgo } from './format.js';
import {
  renderDistribution,
  renderHistogram,
  renderHistory,
  formatPercent,
} from './portfolio-charts.js';
import {
  BANDS,
  KPIS,
  PHASES,
  TARGET_SHARES,
  WEIGHT_LEVELS,
  aucVerdict,
  focusOrganizations,
  histogram,
  sameSettings,
  sameWeights,
  scoresOf,
  settingsToEnter,
  shares,
  sortDirection,
  thresholdProblem,
} from './portfolio-model.js';
import { problemWords, renderAdminDetail } from './messages.js';
import { renderComputing, renderLoading, renderProblem, renderReport } from './render.js';

export const FOCUS_LIMIT = 8;
export const CHANGES_LIMIT = 50;
const COLOURS = new Set(['green', 'yellow', 'red', 'grey']);
const esc = escapeHtml;
const colourOf = (value) => (COLOURS.has(value) ? value : 'grey');

function button(action, label, { extra = '', kind = '' } = {}) {
  const classes = kind ? `btn btn--${kind}` : 'btn';
  return `<button type="button" class="${classes}" data-action="${action}"${extra}>${esc(label)}</button>`;
}

function chip(colour, t) {
  const shown = colourOf(colour);
  return `<span class="chip chip--${shown}">${esc(t(`colour_${shown}`))}</span>`;
}

// --- the page as a whole --------------------------------------------------------------------

export function renderPageLoading(t) {
  return renderLoading(t, t('portfolio.loading'));
}

/**
 * A failure inside one panel (backtest, calibration, what-if, CSV): what failed, the card's
 * sentence for its code (wait, or who must act), and the backend's detail for admins.
 */
export function renderInlineProblem(lead, problem, t, view = {}, className = 'hint') {
  const { code, body } = problemWords(problem, t);
  return [
    `<div class="inline-problem" data-code="${esc(code)}">`,
    `<p class="${className}" role="alert">${esc(body ? `${lead} ${body}` : lead)}</p>`,
    renderAdminDetail(problem.detail, t, view),
    '</div>',
  ].join('');
}

/** The page when its portfolio request failed, or when the app is not set up. */
export function renderPageProblem(problem, t, view = {}) {
  return renderProblem(problem, t, view);
}

/** The layout of a loaded page: every region the controller fills, and the detail view. */
export function renderSkeleton(t) {
  const section = (id, extraClass = '', body = '') =>
    [
      `<section class="panel ${extraClass}" aria-labelledby="${id}-title">`,
      `<h2 class="panel__title" id="${id}-title">${esc(t(`portfolio.${id}.heading`))}</h2>`,
      body || `<div data-region="${id}"></div>`,
      '</section>',
    ].join('');
  return [
    '<div class="portfolio" data-state="ready">',
    '<div data-view="main">',
    '<header class="page-header">',
    `<h1 class="page-header__title">${esc(t('portfolio.title'))}</h1>`,
    '<div class="page-header__meta" data-region="header"></div>',
    '</header>',
    '<div data-region="status"></div>',
    '<div class="overview">',
    section('distribution'),
    section('histogram'),
    section('backtest'),
    '</div>',
    section('focus'),
    section(
      'whatif',
      'whatif',
      [
        `<p class="hint">${esc(t('portfolio.whatif.intro'))}</p>`,
        '<div data-region="whatif-controls"></div>',
        '<div data-region="whatif-actions"></div>',
        '<div data-region="whatif-result" aria-live="polite"></div>',
      ].join(''),
    ),
    section(
      'table',
      '',
      '<div data-region="table-controls"></div><div data-region="table-rows"></div>',
    ),
    '</div>',
    '<div data-view="detail" hidden><div data-region="detail"></div></div>',
    '</div>',
  ].join('');
}

/** The first sync, before any organization is scored: the page is its progress. */
export function renderSyncingPage(sync, t, view = {}) {
  return [
    '<div class="portfolio" data-state="syncing">',
    '<header class="page-header">',
    `<h1 class="page-header__title">${esc(t('portfolio.title'))}</h1>`,
    '</header>',
    `<div data-region="status">${renderSyncStatus(sync, t, view)}</div>`,
    '</div>',
  ].join('');
}

/** An account without organizations: nothing to score, and that is not an error. */
export function renderEmptyPage(sync, t, view = {}) {
  return [
    '<div class="portfolio" data-state="empty">',
    '<header class="page-header">',
    `<h1 class="page-header__title">${esc(t('portfolio.title'))}</h1>`,
    button('reload', t('refresh')),
    '</header>',
    `<div data-region="status">${renderSyncStatus(sync, t, view)}</div>`,
    '<section class="message" role="status">',
    `<h2 class="message__title">${esc(t('portfolio.empty_title'))}</h2>`,
    `<p class="message__body">${esc(t('portfolio.empty_body'))}</p>`,
    '</section>',
    '</div>',
  ].join('');
}

// --- header and sync ------------------------------------------------------------------------

export function renderHeader(portfolio, now, t) {
  const ago = portfolio.as_of ? timeAgo(portfolio.as_of, now, t) : null;
  const count = (portfolio.organizations || []).length;
  const parts = [
    t(count === 1 ? 'portfolio.organizations_one' : 'portfolio.organizations_other', {
      n: formatNumber(count, t.language),
    }),
  ];
  if (ago) parts.push(t('portfolio.as_of', { ago }));
  return [
    `<span class="page-header__facts">${esc(parts.join(' · '))}</span>`,
    button('reload', t('refresh')),
  ].join('');
}

function etaText(seconds, t) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return null;
  if (seconds < 60) return t('portfolio.sync.eta_soon');
  return t('portfolio.sync.eta', { minutes: formatNumber(Math.ceil(seconds / 60), t.language) });
}

/**
 * The account sync's state above the page: the first sync's progress, or a failing sync, worded
 * like the card's stale note when the sync says why (`last_error_code`), the error for admins.
 */
export function renderSyncStatus(sync, t, view = {}) {
  if (!sync || typeof sync !== 'object') return '';
  if (sync.state === 'failing') {
    const codeKey = `stale_body_${sync.last_error_code}`;
    const body = sync.last_error_code && t(codeKey) !== codeKey ? t(codeKey) : t('portfolio.sync.failing_body');
    return [
      '<div class="banner banner--warning" role="alert" data-sync="failing">',
      `<strong>${esc(t('portfolio.sync.failing_title'))}</strong> `,
      `<span>${esc(body)}</span>`,
      renderAdminDetail(sync.last_error, t, view),
      '</div>',
    ].join('');
  }
  const first = sync.state === 'never' || (sync.state === 'running' && sync.phase === 'full');
  if (!first) return '';
  const counts = {
    tickets: formatNumber(Number(sync.tickets) || 0, t.language),
    organizations: formatNumber(Number(sync.organizations) || 0, t.language),
  };
  const progress = typeof sync.progress === 'number' && Number.isFinite(sync.progress) ? sync.progress : null;
  const percent = progress === null ? null : Math.round(100 * Math.min(1, Math.max(0, progress)));
  let label;
  if (sync.state === 'never') label = t('portfolio.sync.waiting');
  else if (percent === null) label = t('portfolio.sync.progress_unknown', counts);
  else label = t('portfolio.sync.progress', { ...counts, percent: formatNumber(percent, t.language) });
  const eta = etaText(sync.eta_seconds, t);
  const bar =
    percent === null
      ? `<div class="progress progress--indeterminate" role="progressbar" aria-label="${esc(label)}"><div class="progress__fill"></div></div>`
      : `<div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${percent}" aria-label="${esc(label)}"><div class="progress__fill" style="width:${percent}%"></div></div>`;
  return [
    '<div class="banner banner--info" role="status" data-sync="first">',
    `<strong>${esc(t('portfolio.sync.first_title'))}</strong>`,
    `<p>${esc(t('portfolio.sync.first_body'))}</p>`,
    bar,
    `<p class="banner__progress">${esc(eta ? `${label} · ${eta}` : label)}</p>`,
    '</div>',
  ].join('');
}

// --- overview -------------------------------------------------------------------------------

export function renderDistributionSection(distribution, t) {
  const now = shares(distribution);
  if (!now) return `<p class="hint">${esc(t('portfolio.distribution.none'))}</p>`;
  return [
    `<p class="hint">${esc(t('portfolio.distribution.hint'))}</p>`,
    renderDistribution(
      [
        { key: 'now', label: t('portfolio.distribution.now'), shares: now },
        { key: 'target', label: t('portfolio.distribution.target'), shares: { percent: TARGET_SHARES } },
      ],
      t,
    ),
    now.grey ? `<p class="hint">${esc(t('portfolio.distribution.grey', { n: formatNumber(now.grey, t.language) }))}</p>` : '',
  ].join('');
}

export function renderHistogramSection(organizations, thresholds, t) {
  const scores = scoresOf(organizations);
  if (!scores.length) return `<p class="hint">${esc(t('portfolio.distribution.none'))}</p>`;
  return renderHistogram(histogram(scores), thresholds, t);
}

/** The backtest: `outcome` is null while loading, else an api outcome. */
export function renderBacktest(outcome, churnTag, t, view = {}) {
  const warning = `<p class="banner banner--warning">${esc(t('portfolio.backtest.warning'))}</p>`;
  if (!outcome) return `<p class="hint" role="status">${esc(t('portfolio.loading'))}</p>`;
  if (outcome.kind !== 'ok') {
    return `${renderInlineProblem(t('portfolio.backtest.error'), outcome, t, view)}${warning}`;
  }
  const body = outcome.body;
  const verdict = aucVerdict(body.auc);
  if (verdict === null) {
    return `<p class="hint">${esc(t('portfolio.backtest.empty', { tag: churnTag }))}</p>${warning}`;
  }
  const lines = [
    `<p class="backtest__auc"><span class="figure">${esc(t('portfolio.backtest.auc', { auc: formatNumber(body.auc, t.language, 2) }))}</span> ${esc(t(`portfolio.backtest.verdict_${verdict}`))}</p>`,
  ];
  const decile = body.top_decile;
  if (typeof body.top_decile_lift === 'number' && decile) {
    lines.push(
      `<p>${esc(
        t('portfolio.backtest.lift', {
          lift: formatNumber(body.top_decile_lift, t.language, 1),
          organizations: formatNumber(decile.organizations, t.language),
          churned: formatNumber(decile.churned, t.language),
        }),
      )}</p>`,
    );
  }
  lines.push(
    `<p class="hint">${esc(
      t('portfolio.backtest.counts', {
        churned: formatNumber(body.churned, t.language),
        retained: formatNumber(body.retained, t.language),
      }),
    )}</p>`,
  );
  return lines.join('') + warning;
}

function organizationButton(organization, t) {
  return `<button type="button" class="link" data-action="open" data-org="${esc(organization.id)}" aria-label="${esc(t('portfolio.table.open_label', { name: organization.name || '' }))}">${esc(organization.name || `#${organization.id}`)}</button>`;
}

export function renderFocus(portfolio, t) {
  const { shown, total } = focusOrganizations(portfolio, FOCUS_LIMIT);
  if (!total) return `<p class="hint">${esc(t('portfolio.focus.empty'))}</p>`;
  const items = shown.map((organization) => {
    const goal = organization.goal || {};
    const facts = {
      gap: formatNumber(pointsToGo(goal.gap), t.language),
      target: formatNumber(goal.target, t.language),
      potential: formatNumber(organization.potential, t.language, 1),
      kpi: organization.weakest_kpi ? t(`kpi_${organization.weakest_kpi}`) : '',
    };
    const hasPotential = typeof organization.potential === 'number' && organization.weakest_kpi;
    return [
      `<li class="focus__item" data-org-row="${esc(organization.id)}">`,
      organizationButton(organization, t),
      ` ${chip(organization.colour, t)} `,
      `<span class="focus__score">${esc(formatScore(organization.score, t.language))}</span>`,
      `<span class="focus__facts">${esc(t(hasPotential ? 'portfolio.focus.item' : 'portfolio.focus.item_no_kpi', facts))}</span>`,
      '</li>',
    ].join('');
  });
  const more = total - shown.length;
  return [
    `<ol class="focus">${items.join('')}</ol>`,
    more > 0 ? `<p class="hint">${esc(t('portfolio.focus.more', { n: formatNumber(more, t.language) }))}</p>` : '',
  ].join('');
}

// --- what-if --------------------------------------------------------------------------------

function weightOptions(value, t) {
  const levels = WEIGHT_LEVELS.includes(value) ? WEIGHT_LEVELS : [...WEIGHT_LEVELS, value].sort((a, b) => a - b);
  return levels
    .map((level) => {
      const label = WEIGHT_LEVELS.includes(level)
        ? t(`portfolio.weight.${level}`)
        : t('portfolio.weight.other', { value: formatNumber(level, t.language, 2) });
      return `<option value="${esc(level)}"${level === value ? ' selected' : ''}>${esc(label)}</option>`;
    })
    .join('');
}

/** The form: a weight per KPI (none … high) and the two thresholds; rendered when values jump. */
export function renderWhatIfControls(whatif, t) {
  const { candidate } = whatif;
  const weights = KPIS.map(
    (kpi) =>
      `<label class="field"><span class="field__label">${esc(t(`kpi_${kpi}`))}</span><select data-weight="${kpi}">${weightOptions(candidate.weights[kpi], t)}</select></label>`,
  );
  // Named as on the settings page, where the admin will enter them.
  const threshold = (which) =>
    `<label class="field"><span class="field__label">${esc(t(`setting_${which}_threshold`))}</span><input type="number" inputmode="decimal" min="0" max="100" step="any" data-threshold="${which}" value="${esc(candidate[which] ?? '')}"></label>`;
  return [
    '<div class="whatif__form">',
    `<fieldset class="fieldset"><legend>${esc(t('portfolio.whatif.weights'))}</legend><div class="fields">${weights.join('')}</div></fieldset>`,
    `<fieldset class="fieldset"><legend>${esc(t('portfolio.whatif.thresholds'))}</legend><div class="fields">${threshold('green')}${threshold('red')}</div></fieldset>`,
    '</div>',
  ].join('');
}

/** Calibrate and reset, whose availability follows every change of the form. */
export function renderWhatIfActions(whatif, t, view = {}) {
  const weightsChanged = !sameWeights(whatif.current, whatif.candidate);
  const calibrateHint = weightsChanged ? 'portfolio.whatif.calibrate_weights_changed' : 'portfolio.whatif.calibrate_hint';
  const unchanged = sameSettings(whatif.current, whatif.candidate);
  return [
    '<div class="whatif__actions">',
    button('calibrate', t('portfolio.whatif.calibrate'), {
      extra: `${weightsChanged ? ' disabled' : ''} aria-describedby="calibrate-hint"`,
    }),
    button('reset', t('portfolio.whatif.reset'), { extra: unchanged ? ' disabled' : '', kind: 'plain' }),
    '</div>',
    `<p class="hint" id="calibrate-hint">${esc(t(calibrateHint))}</p>`,
    renderCalibration(whatif.calibration, t, view),
  ].join('');
}

function renderCalibration(calibration, t, view) {
  if (!calibration) return '';
  if (calibration.kind !== 'ok') {
    return renderInlineProblem(t('portfolio.whatif.calibration_error'), calibration, t, view);
  }
  const body = calibration.body;
  if (body.green_threshold === null || body.red_threshold === null) {
    return `<p class="hint" role="status">${esc(t('portfolio.whatif.calibration_empty'))}</p>`;
  }
  const got = body.shares || {};
  const text = t('portfolio.whatif.calibrated', {
    n: formatNumber(body.organizations, t.language),
    green: formatPercent(got.green, t.language),
    yellow: formatPercent(got.yellow, t.language),
    red: formatPercent(got.red, t.language),
  });
  return [
    `<p class="hint" role="status" data-calibration="${body.exact === false ? 'inexact' : 'exact'}">${esc(text)}</p>`,
    body.exact === false ? `<p class="hint">${esc(t('portfolio.whatif.calibration_inexact'))}</p>` : '',
  ].join('');
}

function renderChanges(changes, t) {
  if (!changes.length) return `<p class="hint">${esc(t('portfolio.whatif.no_changes'))}</p>`;
  const items = changes.slice(0, CHANGES_LIMIT).map(
    (change) =>
      [
        `<li class="change" data-org-row="${esc(change.id)}">`,
        organizationButton({ id: change.id, name: change.name }, t),
        ` ${chip(change.from, t)} → ${chip(change.to, t)} `,
        `<span class="hint">${esc(
          typeof change.previous_score === 'number'
            ? t('portfolio.whatif.change_scores', {
                score: formatScore(change.score, t.language),
                previous: formatScore(change.previous_score, t.language),
              })
            : t('portfolio.whatif.change_score', { score: formatScore(change.score, t.language) }),
        )}</span>`,
        '</li>',
      ].join(''),
  );
  const more = changes.length - CHANGES_LIMIT;
  return [
    `<ul class="changes">${items.join('')}</ul>`,
    more > 0 ? `<p class="hint">${esc(t('portfolio.whatif.changes_more', { n: formatNumber(more, t.language) }))}</p>` : '',
  ].join('');
}

/** "Enter these values": the page cannot change its own installation settings, admins can. */
export function renderSettingsToEnter(whatif, t) {
  const rows = settingsToEnter(whatif.current, whatif.candidate);
  if (!rows.length || thresholdProblem(whatif.candidate)) return '';
  return [
    '<div class="enter" data-enter>',
    `<h3 class="section-title">${esc(t('portfolio.whatif.enter_heading'))}</h3>`,
    `<p class="hint">${esc(t('portfolio.whatif.enter_body'))}</p>`,
    '<table class="figures">',
    `<thead><tr><th scope="col">${esc(t('portfolio.whatif.enter_setting'))}</th><th scope="col">${esc(t('portfolio.whatif.enter_now'))}</th><th scope="col">${esc(t('portfolio.whatif.enter_new'))}</th></tr></thead>`,
    '<tbody>',
    ...rows.map(
      (row) =>
        `<tr data-setting="${esc(row.name)}"><th scope="row">${esc(t(`setting_${row.name}`))}</th><td>${esc(row.from)}</td><td><code>${esc(row.to)}</code></td></tr>`,
    ),
    '</tbody></table></div>',
  ].join('');
}

/** The live answer: what the candidate settings would do to the distribution and who changes. */
export function renderWhatIfResult(whatif, currentDistribution, t, view = {}) {
  const problem = thresholdProblem(whatif.candidate);
  if (problem) {
    const labels = { green: t('setting_green_threshold'), red: t('setting_red_threshold') };
    return `<p class="field-problem" role="alert">${esc(t(`portfolio.whatif.invalid_${problem}`, labels))}</p>`;
  }
  if (sameSettings(whatif.current, whatif.candidate)) {
    return `<p class="hint">${esc(t('portfolio.whatif.unchanged'))}</p>`;
  }
  const enter = renderSettingsToEnter(whatif, t);
  const { preview } = whatif;
  if (!preview || preview.status === 'computing') {
    return `<p class="hint" role="status" aria-busy="true">${esc(t('portfolio.whatif.computing'))}</p>${enter}`;
  }
  if (preview.outcome.kind !== 'ok') {
    return `${renderInlineProblem(t('portfolio.whatif.error'), preview.outcome, t, view, 'field-problem')}${enter}`;
  }
  const body = preview.outcome.body;
  const changes = Array.isArray(body.changes) ? body.changes : [];
  const warnings = Array.isArray(body.settings_warnings) ? body.settings_warnings : [];
  return [
    '<div class="whatif__result" data-state="whatif">',
    renderDistribution(
      [
        { key: 'now', label: t('portfolio.distribution.now'), shares: shares(currentDistribution) },
        { key: 'whatif', label: t('portfolio.distribution.whatif'), shares: shares(body.distribution) },
        { key: 'target', label: t('portfolio.distribution.target'), shares: { percent: TARGET_SHARES } },
      ],
      t,
    ),
    warnings.length
      ? `<div class="banner banner--warning" role="alert"><strong>${esc(t('portfolio.whatif.warnings'))}</strong><ul>${warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul></div>`
      : '',
    `<h3 class="section-title">${esc(t('portfolio.whatif.changes_heading', { n: formatNumber(changes.length, t.language) }))}</h3>`,
    renderChanges(changes, t),
    '</div>',
    enter,
  ].join('');
}

// --- the table ------------------------------------------------------------------------------

export const COLUMNS = [
  { field: 'name', key: 'name' },
  { field: 'score', key: 'score', numeric: true },
  { field: 'delta_30d', key: 'delta', numeric: true },
  { field: 'phase', key: 'phase' },
  { field: 'goal', key: 'goal' },
  { field: 'weakest_kpi', key: 'weakest' },
  { field: 'potential', key: 'potential', numeric: true },
];

function select(name, label, options, value, t) {
  const items = [['', t('portfolio.filter.all')], ...options].map(
    ([optionValue, text]) =>
      `<option value="${esc(optionValue)}"${optionValue === (value || '') ? ' selected' : ''}>${esc(text)}</option>`,
  );
  return `<label class="field"><span class="field__label">${esc(label)}</span><select data-filter="${name}">${items.join('')}</select></label>`;
}

export function renderTableControls(table, t, view = {}) {
  const filters = table.filters || {};
  return [
    '<div class="table-controls">',
    select('colour', t('portfolio.table.filter_colour'), [...BANDS, 'grey'].map((c) => [c, t(`colour_${c}`)]), filters.colour, t),
    select('phase', t('portfolio.table.filter_phase'), PHASES.map((p) => [p, t(`phase_${p}`)]), filters.phase, t),
    select('goal', t('portfolio.table.filter_goal'), [['reached', t('portfolio.filter.goal_reached')], ['missed', t('portfolio.filter.goal_missed')]], filters.goal, t),
    button('csv', t('portfolio.table.download')),
    '</div>',
    table.csvProblem ? renderInlineProblem(t('portfolio.table.download_error'), table.csvProblem, t, view, 'field-problem') : '',
  ].join('');
}

function deltaCell(delta, t) {
  if (typeof delta !== 'number' || !Number.isFinite(delta)) return '<span class="hint">–</span>';
  if (Math.abs(delta) < 0.05) return `<span class="delta delta--flat">${esc(t('portfolio.table.delta_flat'))}</span>`;
  const direction = delta > 0 ? 'up' : 'down';
  const shown = formatDelta(delta, t.language);
  return `<span class="delta delta--${direction}" aria-label="${esc(t(`trend_${direction}_label`, { delta: shown }))}">${direction === 'up' ? '▲' : '▼'} ${esc(shown)}</span>`;
}

function goalCell(goal, t) {
  if (!goal || typeof goal.target !== 'number') return '<span class="hint">–</span>';
  const target = formatNumber(goal.target, t.language);
  if (goal.reached) return esc(t('portfolio.table.goal_reached', { target }));
  if (typeof goal.gap !== 'number') return esc(target);
  return esc(t('portfolio.table.goal_gap', { target, n: formatNumber(pointsToGo(goal.gap), t.language) }));
}

function row(organization, t) {
  const potential =
    typeof organization.potential === 'number' && organization.potential > 0
      ? `+${formatNumber(organization.potential, t.language, 1)}`
      : '–';
  return [
    `<tr data-org-row="${esc(organization.id)}">`,
    `<th scope="row">${organizationButton(organization, t)}${organization.churned ? ` <span class="tag">${esc(t('portfolio.table.churned'))}</span>` : ''}</th>`,
    `<td class="num"><span class="score-cell">${esc(formatScore(organization.score, t.language))}</span> ${chip(organization.colour, t)}</td>`,
    `<td class="num">${deltaCell(organization.delta_30d, t)}</td>`,
    `<td>${organization.phase ? esc(t(`phase_${organization.phase}`)) : '–'}</td>`,
    `<td>${goalCell(organization.goal, t)}</td>`,
    `<td>${organization.weakest_kpi ? esc(t(`kpi_${organization.weakest_kpi}`)) : '–'}</td>`,
    `<td class="num">${esc(potential)}</td>`,
    '</tr>',
  ].join('');
}

/** The table: sortable headers (aria-sort), the rows shown so far and "show more". */
export function renderTableRows(table, t, view = {}) {
  if (table.status === 'failed') return renderProblem(table.outcome, t, { ...view, retryAction: 'reload-table' });
  const organizations = table.organizations || [];
  const busy = table.status === 'loading' ? ' aria-busy="true"' : '';
  if (!organizations.length) {
    return `<p class="hint" role="status"${busy}>${esc(t(table.status === 'loading' ? 'portfolio.table.loading' : 'portfolio.table.empty'))}</p>`;
  }
  const shown = organizations.slice(0, table.shown);
  const headers = COLUMNS.map((column) => {
    const label = t(`portfolio.table.col_${column.key}`);
    const direction = sortDirection(table.sort, column.field);
    const arrow = direction === 'ascending' ? ' ▲' : direction === 'descending' ? ' ▼' : '';
    return `<th scope="col" aria-sort="${direction}"${column.numeric ? ' class="num"' : ''}><button type="button" class="sort" data-action="sort" data-sort="${column.field}">${esc(label)}<span aria-hidden="true">${arrow}</span></button></th>`;
  });
  const rest = organizations.length - shown.length;
  return [
    `<div class="table-wrap"${busy}>`,
    '<table class="portfolio-table" aria-labelledby="table-title">',
    `<thead><tr>${headers.join('')}</tr></thead>`,
    `<tbody>${shown.map((organization) => row(organization, t)).join('')}</tbody>`,
    '</table></div>',
    '<div class="table-footer">',
    `<span class="hint">${esc(t('portfolio.table.showing', { shown: formatNumber(shown.length, t.language), total: formatNumber(organizations.length, t.language) }))}</span>`,
    rest > 0 ? button('more', t('portfolio.table.more', { n: formatNumber(Math.min(rest, table.pageSize), t.language) })) : '',
    '</div>',
  ].join('');
}

// --- the organization's detail --------------------------------------------------------------

function renderKpiChanges(changes, t) {
  if (!Array.isArray(changes) || !changes.length) {
    return `<p class="hint">${esc(t('portfolio.detail.changes_none'))}</p>`;
  }
  const items = changes.map((change) => {
    const effect = Number(change.effect);
    const direction = effect > 0 ? 'up' : effect < 0 ? 'down' : 'flat';
    const sign = effect > 0 ? '+' : effect < 0 ? '\u2212' : '±';
    return [
      `<li class="kpi-change kpi-change--${direction}" data-kpi="${esc(change.key)}">`,
      `<span class="kpi-change__name">${esc(t(`kpi_${change.key}`))}</span> `,
      `<span>${esc(t('portfolio.detail.change', { from: formatScore(change.from, t.language), to: formatScore(change.to, t.language) }))}</span> `,
      `<span class="kpi-change__effect">${esc(t('portfolio.detail.effect', { effect: `${sign}${formatNumber(Math.abs(effect), t.language, 1)}` }))}</span>`,
      '</li>',
    ].join('');
  });
  return `<ul class="kpi-changes">${items.join('')}</ul>`;
}

/**
 * The detail view: back, the sidebar's card, the score history and what changed. `view` is
 * the card's: { isAdmin, allRecommendations }.
 */
export function renderDetail(detail, thresholds, t, now, view = {}) {
  const header = [
    '<div class="detail__bar">',
    button('back', t('portfolio.detail.back'), { kind: 'plain' }),
    button('zendesk', t('portfolio.detail.open_in_zendesk')),
    '</div>',
    `<h2 class="detail__title" id="detail-title" tabindex="-1">${esc(detail.name || `#${detail.id}`)}</h2>`,
    detail.routeFailed ? `<p class="field-problem" role="alert">${esc(t('portfolio.detail.route_failed', { id: detail.id }))}</p>` : '',
  ].join('');
  let body;
  if (detail.status === 'loading') body = renderLoading(t);
  else if (detail.status === 'computing') body = renderComputing(detail.progress, t);
  else if (detail.status === 'problem') body = renderProblem(detail.problem, t, view);
  else {
    const report = detail.report;
    const trend = report.trend || {};
    body = [
      '<div class="detail__columns">',
      `<div class="detail__card">${renderReport(report, t, now, view)}</div>`,
      '<div class="detail__more">',
      `<h3 class="section-title">${esc(t('portfolio.detail.history_heading'))}</h3>`,
      renderHistory(trend.history, thresholds, t),
      `<h3 class="section-title">${esc(t('portfolio.detail.changes_heading'))}</h3>`,
      renderKpiChanges(trend.kpi_changes, t),
      '</div></div>',
    ].join('');
  }
  return `<article class="detail" data-detail="${esc(detail.id)}" aria-labelledby="detail-title">${header}${body}</article>`;
}

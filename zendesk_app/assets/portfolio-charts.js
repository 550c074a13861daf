// The portfolio's charts as inline SVG strings. Each chart's figures are also given as text
// (a table, visible or for screen readers only), so the SVG itself is decoration: aria-hidden.
import { escapeHtml, formatNumber } from './format.js';
import { BANDS } from './portfolio-model.js';

const BAR_LABEL_WIDTH = 88;
const BAR_WIDTH = 312;
const BAR_HEIGHT = 22;
const BAR_GAP = 10;
const MIN_LABELLED_SEGMENT = 34; // px of bar a percent label needs to fit inside its segment

export function formatPercent(value, language) {
  return `${formatNumber(value, language)}\u202f%`;
}

/**
 * Stacked bars of the band shares, one per row: [{ key, label, shares }] where `shares` is
 * portfolio-model.js shares() or a plain { percent } for the target. Rows without shares are
 * left out.
 */
export function renderDistributionBars(rows, t) {
  const shown = rows.filter((row) => row.shares);
  const height = shown.length * (BAR_HEIGHT + BAR_GAP) - BAR_GAP;
  const bars = shown.map((row, index) => {
    const y = index * (BAR_HEIGHT + BAR_GAP);
    let x = BAR_LABEL_WIDTH;
    const segments = BANDS.map((band) => {
      const width = (BAR_WIDTH * row.shares.percent[band]) / 100;
      const segment = [
        `<rect class="bar bar--${band}" x="${x.toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}"></rect>`,
        width >= MIN_LABELLED_SEGMENT
          ? `<text class="bar__value" x="${(x + width / 2).toFixed(1)}" y="${y + BAR_HEIGHT / 2}" text-anchor="middle" dominant-baseline="central">${escapeHtml(formatPercent(row.shares.percent[band], t.language))}</text>`
          : '',
      ].join('');
      x += width;
      return segment;
    });
    return [
      `<g class="distribution__row distribution__row--${row.key}">`,
      `<text class="chart__label" x="0" y="${y + BAR_HEIGHT / 2}" dominant-baseline="central">${escapeHtml(row.label)}</text>`,
      ...segments,
      '</g>',
    ].join('');
  });
  return [
    `<svg class="chart distribution__chart" viewBox="0 0 ${BAR_LABEL_WIDTH + BAR_WIDTH} ${height}" aria-hidden="true" focusable="false">`,
    ...bars,
    '</svg>',
  ].join('');
}

/**
 * The distribution figure: the bars, and a visible table with every count and share (the
 * table is what screen readers read; the bars repeat it).
 */
export function renderDistribution(rows, t) {
  const shown = rows.filter((row) => row.shares);
  const cell = (row, band) => {
    const percent = formatPercent(row.shares.percent[band], t.language);
    if (!row.shares.counts) return percent;
    return t('portfolio.distribution.cell', { n: formatNumber(row.shares.counts[band], t.language), share: percent });
  };
  const body = BANDS.map(
    (band) =>
      `<tr><th scope="row"><span class="swatch swatch--${band}" aria-hidden="true"></span>${escapeHtml(t(`colour_${band}`))}</th>${shown
        .map((row) => `<td>${escapeHtml(cell(row, band))}</td>`)
        .join('')}</tr>`,
  );
  return [
    '<figure class="distribution">',
    renderDistributionBars(shown, t),
    '<table class="figures">',
    `<thead><tr><th scope="col">${escapeHtml(t('portfolio.distribution.colour'))}</th>${shown
      .map((row) => `<th scope="col">${escapeHtml(row.label)}</th>`)
      .join('')}</tr></thead>`,
    `<tbody>${body.join('')}</tbody>`,
    '</table>',
    '</figure>',
  ].join('');
}

const HIST_WIDTH = 400;
const HIST_HEIGHT = 160;
const HIST_TOP = 30; // room for the two threshold labels
const HIST_BOTTOM = 20; // room for the axis labels

function xOfScore(score) {
  return (HIST_WIDTH * Math.min(100, Math.max(0, score))) / 100;
}

// The green label sits on the first line of the top margin, the red one on the second, so the
// two never overlap however close the thresholds are; each reads away from the chart's edge.
function thresholdLine(kind, value, label, bottom) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '';
  const x = xOfScore(value);
  const y = kind === 'green' ? 10 : 22;
  const anchor = x > HIST_WIDTH / 2 ? 'end' : 'start';
  const dx = anchor === 'end' ? -4 : 4;
  return [
    `<line class="threshold threshold--${kind}" x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${y - 8}" y2="${bottom}"></line>`,
    `<text class="threshold__label threshold__label--${kind}" x="${x.toFixed(1)}" dx="${dx}" y="${y}" text-anchor="${anchor}">${escapeHtml(label)}</text>`,
  ].join('');
}

/** Organizations per score band, with the thresholds in force as labelled lines. */
export function renderHistogram(bins, thresholds, t) {
  const max = Math.max(1, ...bins.map((bin) => bin.count));
  const plot = HIST_HEIGHT - HIST_BOTTOM - HIST_TOP;
  const width = HIST_WIDTH / bins.length;
  const bars = bins.map((bin, index) => {
    const height = (plot * bin.count) / max;
    const y = HIST_TOP + plot - height;
    return `<rect class="histogram__bar" x="${(index * width + 1).toFixed(1)}" y="${y.toFixed(1)}" width="${(width - 2).toFixed(1)}" height="${height.toFixed(1)}"></rect>`;
  });
  const ticks = [0, 20, 40, 60, 80, 100].map((score) => {
    const anchor = score === 0 ? 'start' : score === 100 ? 'end' : 'middle';
    return `<text class="chart__axis" x="${xOfScore(score)}" y="${HIST_HEIGHT - 4}" text-anchor="${anchor}">${score}</text>`;
  });
  const green = thresholds && thresholds.green;
  const red = thresholds && thresholds.red;
  const rows = bins.map(
    (bin) =>
      `<tr><th scope="row">${escapeHtml(t('portfolio.histogram.range', { from: formatNumber(bin.from, t.language), to: formatNumber(bin.to, t.language) }))}</th><td>${escapeHtml(formatNumber(bin.count, t.language))}</td></tr>`,
  );
  return [
    '<figure class="histogram">',
    `<svg class="chart histogram__chart" viewBox="0 0 ${HIST_WIDTH} ${HIST_HEIGHT}" aria-hidden="true" focusable="false">`,
    `<line class="chart__baseline" x1="0" x2="${HIST_WIDTH}" y1="${HIST_TOP + plot}" y2="${HIST_TOP + plot}"></line>`,
    ...bars,
    ...ticks,
    thresholdLine('red', red, t('portfolio.histogram.red_line', { value: formatNumber(red, t.language, 1) }), HIST_TOP + plot),
    thresholdLine('green', green, t('portfolio.histogram.green_line', { value: formatNumber(green, t.language, 1) }), HIST_TOP + plot),
    '</svg>',
    `<figcaption class="hint">${escapeHtml(t('portfolio.histogram.caption'))}</figcaption>`,
    '<table class="visually-hidden">',
    `<thead><tr><th scope="col">${escapeHtml(t('portfolio.histogram.range_header'))}</th><th scope="col">${escapeHtml(t('portfolio.histogram.count_header'))}</th></tr></thead>`,
    `<tbody>${rows.join('')}</tbody>`,
    '</table>',
    '</figure>',
  ].join('');
}

const HISTORY_WIDTH = 560;
const HISTORY_HEIGHT = 160;
const HISTORY_TOP = 16;
const HISTORY_BOTTOM = 20;

function formatDate(iso, language) {
  const date = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return String(iso || '');
  return new Intl.DateTimeFormat(language, { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(date);
}

/** The organization's daily scores as a line, with the thresholds; summarised for readers. */
export function renderHistory(history, thresholds, t) {
  const points = (Array.isArray(history) ? history : []).filter(
    (point) => point && typeof point.score === 'number' && Number.isFinite(point.score),
  );
  if (points.length < 2) return `<p class="hint">${escapeHtml(t('portfolio.detail.history_none'))}</p>`;
  const plot = HISTORY_HEIGHT - HISTORY_TOP - HISTORY_BOTTOM;
  const step = HISTORY_WIDTH / (points.length - 1);
  const y = (score) => HISTORY_TOP + plot - (plot * Math.min(100, Math.max(0, score))) / 100;
  const line = points.map((point, index) => `${(index * step).toFixed(1)},${y(point.score).toFixed(1)}`).join(' ');
  const scores = points.map((point) => point.score);
  const first = points[0];
  const last = points[points.length - 1];
  const label = t('portfolio.detail.history_label', {
    days: formatNumber(points.length, t.language),
    first: formatNumber(first.score, t.language),
    from: formatDate(first.date, t.language),
    last: formatNumber(last.score, t.language),
    to: formatDate(last.date, t.language),
    min: formatNumber(Math.min(...scores), t.language),
    max: formatNumber(Math.max(...scores), t.language),
  });
  const level = (kind, value) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) return '';
    const at = y(value);
    // Green's label above its line, red's below, so close thresholds keep both readable.
    const labelY = kind === 'green' ? at - 4 : at + 12;
    const label = t(`portfolio.histogram.${kind}_line`, { value: formatNumber(value, t.language, 1) });
    return [
      `<line class="threshold threshold--${kind}" x1="0" x2="${HISTORY_WIDTH}" y1="${at.toFixed(1)}" y2="${at.toFixed(1)}"></line>`,
      `<text class="threshold__label threshold__label--${kind}" x="${HISTORY_WIDTH}" y="${labelY.toFixed(1)}" text-anchor="end">${escapeHtml(label)}</text>`,
    ].join('');
  };
  return [
    `<svg class="chart history__chart" viewBox="0 0 ${HISTORY_WIDTH} ${HISTORY_HEIGHT}" role="img" aria-label="${escapeHtml(label)}" focusable="false">`,
    ...[0, 50, 100].map(
      (score) =>
        `<line class="chart__grid" x1="0" x2="${HISTORY_WIDTH}" y1="${y(score)}" y2="${y(score)}"></line><text class="chart__axis" x="0" y="${y(score) - 3}">${score}</text>`,
    ),
    level('green', thresholds && thresholds.green),
    level('red', thresholds && thresholds.red),
    `<polyline class="history__line" points="${line}"></polyline>`,
    `<text class="chart__axis" x="0" y="${HISTORY_HEIGHT - 4}">${escapeHtml(formatDate(first.date, t.language))}</text>`,
    `<text class="chart__axis" x="${HISTORY_WIDTH}" y="${HISTORY_HEIGHT - 4}" text-anchor="end">${escapeHtml(formatDate(last.date, t.language))}</text>`,
    '</svg>',
  ].join('');
}

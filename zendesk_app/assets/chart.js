// The score history as a small line chart on a fixed 0–100 scale: the colour thresholds as
// dashed lines with their values, the first and last day below, and days without a score as
// gaps in the line. Pure: returns HTML, so it runs in Node's test runner.
import { escapeHtml, formatDay, formatScore } from './format.js';

const WIDTH = 300; // viewBox units; the SVG stretches to the card's width
const HEIGHT = 64;
const PAD = 3; // keeps the line's stroke inside the box at 0 and 100
const MS_PER_DAY = 86_400_000;
const TICK_CLEARANCE = 12; // points: 0 and 100 are labelled only away from a threshold label

function dayNumber(isoDate) {
  const time = Date.parse(`${isoDate}T00:00:00Z`);
  return Number.isNaN(time) ? null : time / MS_PER_DAY;
}

/** A point's score, or null. Never Number(null): that is 0, and would draw "no data" as zero. */
function scoreOf(point) {
  if (!point || point.score === null || point.score === undefined) return null;
  const score = Number(point.score);
  return Number.isFinite(score) ? score : null;
}

/**
 * The history split into runs of days with a score; a day without one ends a run.
 * Null when fewer than two days have a score: with no data there is no chart.
 */
export function historySegments(history) {
  const points = (Array.isArray(history) ? history : [])
    .map((point) => ({ date: point && point.date, day: point ? dayNumber(point.date) : null, score: scoreOf(point) }))
    .filter((point) => point.day !== null)
    .sort((a, b) => a.day - b.day);
  const scored = points.filter((point) => point.score !== null);
  if (scored.length < 2 || points[points.length - 1].day === points[0].day) return null;
  const segments = [];
  let run = [];
  for (const point of points) {
    if (point.score === null) {
      if (run.length) segments.push(run);
      run = [];
    } else {
      run.push(point);
    }
  }
  if (run.length) segments.push(run);
  return {
    first: points[0],
    last: points[points.length - 1],
    firstScore: scored[0].score,
    lastScore: scored[scored.length - 1].score,
    segments,
    hasGaps: scored.length !== points.length,
  };
}

function y(score) {
  const clamped = Math.min(100, Math.max(0, score));
  return PAD + ((HEIGHT - 2 * PAD) * (100 - clamped)) / 100;
}

/** The SVG path: one subpath per run; a lone day is a zero-length line, drawn as a dot. */
export function historyPath(history) {
  const span = history.last.day - history.first.day;
  const x = (point) => ((WIDTH * (point.day - history.first.day)) / span).toFixed(1);
  return history.segments
    .map((run) => {
      const [start, ...rest] = run;
      const head = `M${x(start)} ${y(start.score).toFixed(1)}`;
      if (!rest.length) return `${head}h0`;
      return `${head} ${rest.map((p) => `L${x(p)} ${y(p.score).toFixed(1)}`).join(' ')}`;
    })
    .join(' ');
}

function tick(value, kind, language) {
  const top = ((100 * y(value)) / HEIGHT).toFixed(1);
  return `<span class="history__tick history__tick--${kind}" style="top:${top}%">${escapeHtml(formatScore(value, language))}</span>`;
}

function ticks(thresholds, language) {
  const marked = [
    [thresholds.green, 'green'],
    [thresholds.red, 'red'],
  ].filter(([value]) => Number.isFinite(value));
  const clear = (value) => marked.every(([mark]) => Math.abs(mark - value) >= TICK_CLEARANCE);
  const ends = [100, 0].filter(clear).map((value) => [value, 'end']);
  return [...ends, ...marked].map(([value, kind]) => tick(value, kind, language)).join('');
}

function thresholdLine(value, kind) {
  if (!Number.isFinite(value)) return '';
  const at = y(value).toFixed(1);
  return `<line class="history__threshold history__threshold--${kind}" x1="0" x2="${WIDTH}" y1="${at}" y2="${at}"></line>`;
}

/** The chart, or '' when there is not enough history to draw. */
export function renderHistory(rawHistory, thresholds, t) {
  const history = historySegments(rawHistory);
  if (!history) return '';
  const limits = {
    green: Number(thresholds && thresholds.green),
    red: Number(thresholds && thresholds.red),
  };
  const first = formatDay(history.first.date, t.language);
  const last = formatDay(history.last.date, t.language);
  let label = t('history_label', {
    first,
    last,
    from: formatScore(history.firstScore, t.language),
    to: formatScore(history.lastScore, t.language),
    green: formatScore(limits.green, t.language),
    red: formatScore(limits.red, t.language),
  });
  if (history.hasGaps) label = `${label} ${t('history_gaps')}`;
  return [
    '<figure class="history">',
    `<figcaption class="section-title">${escapeHtml(t('history_heading'))}</figcaption>`,
    '<div class="history__plot">',
    `<svg class="history__chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" preserveAspectRatio="none" role="img" aria-label="${escapeHtml(label)}" focusable="false">`,
    `<line class="history__axis" x1="0" x2="${WIDTH}" y1="${y(0).toFixed(1)}" y2="${y(0).toFixed(1)}"></line>`,
    thresholdLine(limits.green, 'green'),
    thresholdLine(limits.red, 'red'),
    `<path class="history__line" d="${historyPath(history)}"></path>`,
    '</svg>',
    `<div class="history__ticks" aria-hidden="true">${ticks(limits, t.language)}</div>`,
    '</div>',
    `<div class="history__days" aria-hidden="true"><span>${escapeHtml(first)}</span><span>${escapeHtml(last)}</span></div>`,
    '</figure>',
  ].join('');
}

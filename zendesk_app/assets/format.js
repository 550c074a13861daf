// Numbers, units and times the way the sidebar shows them.

const MINUS = '\u2212';
const NARROW_NBSP = '\u202f';

/** A number rounded for display, with a real minus sign ("−250") and the locale's digits. */
export function formatNumber(value, language, fractionDigits = 0) {
  if (value === null || value === undefined || !Number.isFinite(Number(value))) return '–';
  const text = new Intl.NumberFormat(language, {
    maximumFractionDigits: fractionDigits,
    minimumFractionDigits: 0,
  }).format(Math.abs(Number(value)));
  const rounded = Number(Math.abs(Number(value)).toFixed(fractionDigits));
  return Number(value) < 0 && rounded !== 0 ? MINUS + text : text;
}

/** A KPI value in its own unit: "86 %", "−250 %", "1.8 replies". */
export function formatValue(value, unit, language) {
  const number = formatNumber(value, language);
  if (!unit) return number;
  return unit === '%' ? `${number}${NARROW_NBSP}%` : `${number} ${unit}`;
}

/** The score as shown inside the ring: a whole number, or "–" when there is none. */
export function formatScore(score, language) {
  return formatNumber(score, language, 0);
}

/** A trend delta without its sign (the arrow carries the direction), one decimal. */
export function formatDelta(delta, language) {
  return formatNumber(Math.abs(delta), language, 1);
}

/** "just now", "4 min ago", "3 h ago", "2 d ago" between an ISO timestamp and now. */
export function timeAgo(isoTimestamp, now, t) {
  const then = Date.parse(isoTimestamp);
  if (Number.isNaN(then)) return null;
  const seconds = Math.max(0, (now.getTime() - then) / 1000);
  if (seconds < 60) return t('ago_now');
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return t('ago_minutes', { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return t('ago_hours', { n: hours });
  return t('ago_days', { n: Math.floor(hours / 24) });
}

/** A duration given in minutes: "45 min" below an hour, else hours ("9.5 h", "52 h"). */
export function formatMinutes(minutes, t) {
  const value = Number(minutes);
  if (minutes === null || minutes === undefined || !Number.isFinite(value)) return '–';
  if (value < 60) return t('duration_minutes', { n: formatNumber(value, t.language) });
  const hours = value / 60;
  return t('duration_hours', { n: formatNumber(hours, t.language, hours < 10 ? 1 : 0) });
}

/** A calendar day ("2026-11-20") as "20 Nov" / "20. Nov." in the agent's language. */
export function formatDay(isoDate, language) {
  const time = Date.parse(`${isoDate}T00:00:00Z`);
  if (Number.isNaN(time)) return '';
  return new Intl.DateTimeFormat(language, { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(
    new Date(time),
  );
}

/** Whole points to the goal as the agent reads them (at least 1 while not reached). */
export function pointsToGo(gap) {
  return Math.max(1, Math.round(Number(gap)));
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value) {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

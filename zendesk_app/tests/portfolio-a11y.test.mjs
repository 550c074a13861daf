// Contrast of the portfolio page's colours as the stylesheets really set them (WCAG 2.1:
// text at least 4.5:1, graphics such as bars and lines at least 3:1).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const css = ['main.css', 'portfolio.css']
  .map((name) => readFileSync(new URL(`../assets/${name}`, import.meta.url), 'utf8'))
  .join('\n')
  .replace(/\/\*[\s\S]*?\*\//g, '');

const variables = Object.fromEntries([...css.matchAll(/(--[\w-]+):\s*(#[0-9a-f]{6})\s*;/gi)].map((m) => [m[1], m[2]]));

/** The value of `property` in the last rule whose selector list contains `selector`. */
function declared(selector, property) {
  let value = null;
  for (const [, selectors, body] of css.matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
    if (!selectors.split(',').map((s) => s.trim()).includes(selector)) continue;
    const match = body.match(new RegExp(`(?:^|;)\\s*${property}\\s*:\\s*([^;]+)`));
    if (match) value = match[1].trim();
  }
  assert.ok(value, `${selector} sets no ${property}`);
  const variable = value.match(/^var\((--[\w-]+)\)$/);
  let resolved = variable ? variables[variable[1]] : value;
  if (/^#[0-9a-f]{3}$/i.test(resolved)) resolved = `#${[...resolved.slice(1)].map((c) => c + c).join('')}`;
  assert.match(resolved, /^#[0-9a-f]{6}$/i, `${selector} ${property}: ${value}`);
  return resolved;
}

function luminance(hex) {
  const channels = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r, g, b] = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a, b) {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

const WHITE = '#ffffff';

test('bars, lines and swatches stand out from the white page by at least 3:1', () => {
  const graphics = [
    ['.bar--green', 'fill'], ['.bar--yellow', 'fill'], ['.bar--red', 'fill'],
    ['.histogram__bar', 'fill'], ['.history__line', 'stroke'],
    ['.threshold--green', 'stroke'], ['.threshold--red', 'stroke'],
    ['.swatch--green', 'background'], ['.swatch--yellow', 'background'], ['.swatch--red', 'background'],
  ];
  for (const [selector, property] of graphics) {
    const ratio = contrast(declared(selector, property), WHITE);
    assert.ok(ratio >= 3, `${selector}: ${ratio.toFixed(2)}:1`);
  }
});

test('text on the charts and chips reads at 4.5:1 or more', () => {
  const pairs = [
    [declared('.bar__value', 'fill'), declared('.bar--green', 'fill')],
    [declared('.bar__value', 'fill'), declared('.bar--yellow', 'fill')],
    [declared('.bar__value', 'fill'), declared('.bar--red', 'fill')],
    [declared('.chart__label', 'fill'), WHITE],
    [declared('.chart__axis', 'fill'), WHITE],
    [declared('.threshold__label--green', 'fill'), WHITE],
    [declared('.threshold__label--red', 'fill'), WHITE],
    ...['green', 'yellow', 'red', 'grey'].map((c) => [declared(`.chip--${c}`, 'color'), declared(`.chip--${c}`, 'background')]),
    [declared('.link', 'color'), WHITE],
    [declared('.hint', 'color'), WHITE],
    [declared('.page-header__facts', 'color'), WHITE],
    [declared('.field__label', 'color'), WHITE],
    [declared('.field-problem', 'color'), WHITE],
    [declared('.delta--up', 'color'), WHITE],
    [declared('.delta--down', 'color'), WHITE],
    [declared('.kpi-change__effect', 'color'), WHITE],
  ];
  for (const [text, background] of pairs) {
    const ratio = contrast(text, background);
    assert.ok(ratio >= 4.5, `${text} on ${background}: ${ratio.toFixed(2)}:1`);
  }
});

test('the contrast arithmetic matches WCAG\'s own examples', () => {
  assert.equal(contrast('#000000', WHITE).toFixed(0), '21');
  assert.equal(contrast('#767676', WHITE).toFixed(2), '4.54');
  assert.ok(contrast('#ffb057', WHITE) < 3, 'Garden yellow-400 would fail as a bar');
});

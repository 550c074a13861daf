// Entry point of the nav_bar page: creates the ZAF client once and hands it, with a view over
// the page's DOM, to the portfolio.
import { bindPortfolio, createPortfolio, renderPortfolioOutsideZendesk } from './portfolio.js';

const root = document.getElementById('app');
const client = window.ZAFClient ? window.ZAFClient.init() : false;

const FOCUS_KEYS = ['data-action', 'data-org', 'data-sort', 'data-weight', 'data-threshold', 'data-filter'];

/** A selector for the control that has the focus, to find its successor after a re-render. */
function focusSelector(element) {
  if (element.id) return `#${CSS.escape(element.id)}`;
  const parts = FOCUS_KEYS.filter((name) => element.hasAttribute(name)).map(
    (name) => `[${name}="${CSS.escape(element.getAttribute(name))}"]`,
  );
  return parts.length ? parts.join('') : null;
}

/** The DOM side of the page: regions by data-region, the two views, focus and downloads. */
const view = {
  show(region, html) {
    const element = region === 'page' ? root : root.querySelector(`[data-region="${region}"]`);
    if (!element) return;
    // Re-rendering a region must not drop the keyboard user's place in it.
    const active = document.activeElement;
    const selector = active && active !== element && element.contains(active) ? focusSelector(active) : null;
    element.innerHTML = html;
    const successor = selector && element.querySelector(selector);
    if (successor) successor.focus();
  },
  reveal(name) {
    for (const element of root.querySelectorAll('[data-view]')) element.hidden = element.dataset.view !== name;
    window.scrollTo(0, 0);
  },
  focus(selector) {
    const element = root.querySelector(selector);
    if (element) element.focus();
  },
  download(filename, text, type) {
    // Decoding the answer dropped the backend's byte order mark, which Excel needs to read
    // the file as UTF-8 ("Müller GmbH" rather than "MÃ¼ller GmbH"): put it back.
    const marked = text.startsWith('\ufeff') ? text : `\ufeff${text}`;
    const url = URL.createObjectURL(new Blob([marked], { type }));
    const link = document.createElement('a');
    link.href = url;
    link.download = filename;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  },
};

if (!client) {
  renderPortfolioOutsideZendesk(root, navigator.language);
} else {
  const portfolio = createPortfolio(client, {
    view,
    onLanguage: (language) => {
      document.documentElement.lang = language;
    },
  });
  bindPortfolio(root, portfolio);
  portfolio.start().catch((error) => {
    console.error('Customer Health portfolio failed to start', error);
  });
}

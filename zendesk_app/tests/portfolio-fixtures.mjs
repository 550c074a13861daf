// Answers shaped exactly like DESIGN §11 and docs/api.md, and doubles of the ZAF client and the
// page's view for the portfolio tests.
import { healthReport } from './fixtures.mjs';

export function organization(overrides = {}) {
  return {
    id: 42,
    name: 'Acme <GmbH>',
    score: 63.4,
    colour: 'yellow',
    delta_30d: -4.1,
    phase: 'adoption',
    goal: { target: 70, reached: false, gap: 6.6 },
    weakest_kpi: 'sla',
    kpis: { balance: 80.0, feedback: null, touchpoints: 55.0, sla: 41.2 },
    potential: 12.3,
    churned: false,
    ...overrides,
  };
}

export function idleSync(overrides = {}) {
  return {
    state: 'idle',
    phase: null,
    tickets: 12840,
    organizations: 4,
    progress: null,
    eta_seconds: null,
    last_success_at: '2026-11-20T09:58:00Z',
    last_error: null,
    ...overrides,
  };
}

export function firstSync(overrides = {}) {
  return idleSync({
    state: 'running',
    phase: 'full',
    tickets: 5200,
    organizations: 2,
    progress: 0.42,
    eta_seconds: 185,
    last_success_at: null,
    ...overrides,
  });
}

export function portfolioAnswer(overrides = {}) {
  return {
    organizations: [
      organization(),
      organization({
        id: 7, name: 'Globex', score: 82.0, colour: 'green', delta_30d: 2.5, phase: 'success',
        goal: { target: 70, reached: true, gap: -12.0 }, weakest_kpi: 'touchpoints',
        kpis: { balance: 90.0, feedback: 88.0, touchpoints: 61.0, sla: 85.0 }, potential: 3.1,
      }),
      organization({
        id: 9, name: 'Initech', score: 31.5, colour: 'red', delta_30d: null, phase: 'onboarding',
        goal: { target: 70, reached: false, gap: 38.5 }, weakest_kpi: 'balance',
        kpis: { balance: 0.0, feedback: 40.0, touchpoints: 35.0, sla: 44.0 }, potential: 20.4,
        churned: true,
      }),
      organization({
        id: 11, name: 'Umbrella', score: null, colour: 'grey', delta_30d: null,
        goal: { target: 70, reached: false, gap: null }, weakest_kpi: null,
        kpis: { balance: null, feedback: null, touchpoints: null, sla: null }, potential: null,
      }),
    ],
    distribution: { green: 1, yellow: 1, red: 1, grey: 1 },
    as_of: '2026-11-20T10:00:00Z',
    focus: [9, 42],
    thresholds: { green: 70, red: 40 },
    sync: idleSync(),
    ...overrides,
  };
}

export function emptyPortfolio(overrides = {}) {
  return portfolioAnswer({
    organizations: [],
    distribution: { green: 0, yellow: 0, red: 0, grey: 0 },
    focus: [],
    ...overrides,
  });
}

export function calibrationAnswer(overrides = {}) {
  return {
    green_threshold: 71.2,
    red_threshold: 38.5,
    shares: { green: 20.0, yellow: 60.0, red: 20.0 },
    organizations: 52,
    target: { green: 20, yellow: 60, red: 20 },
    exact: true,
    note: null,
    ...overrides,
  };
}

export function previewAnswer(overrides = {}) {
  return {
    distribution: { green: 0, yellow: 1, red: 2, grey: 1 },
    changes: [
      { id: 7, name: 'Globex', from: 'green', to: 'yellow', score: 66.0, previous_score: 82.0 },
      { id: 42, name: 'Acme <GmbH>', from: 'yellow', to: 'red', score: 38.0, previous_score: 63.4 },
    ],
    thresholds: { green: 70, red: 40 },
    organizations: 3,
    settings_warnings: [],
    settings_problems: [],
    ...overrides,
  };
}

export function backtestAnswer(overrides = {}) {
  return {
    auc: 0.84,
    top_decile_lift: 2.5,
    churned: 9,
    retained: 43,
    top_decile: { organizations: 6, churned: 3 },
    base_rate: 0.173,
    source: 'tag',
    ...overrides,
  };
}

export function detailReport(overrides = {}) {
  const report = healthReport();
  return {
    ...report,
    trend: {
      ...report.trend,
      kpi_changes: [
        { key: 'sla', from: 62.0, to: 41.0, delta: -21.0, effect: -7.9 },
        { key: 'feedback', from: 60.0, to: 64.8, delta: 4.8, effect: 1.2 },
      ],
    },
    ...overrides,
  };
}

export const failure = (status, detail, code) => ({
  reject: { status, responseText: JSON.stringify(code ? { detail, code } : { detail }) },
});

/** The route of a request: "GET /api/v1/portfolio" without host and query. */
export function routeOf(options) {
  return `${options.type} ${new URL(options.url).pathname}`;
}

/**
 * A ZAF client double answering by route. `routes` maps a route to a queue of answers
 * ({ resolve } / { reject } / { wait: promise, resolve }); a route with one answer left keeps
 * giving it.
 */
export function routedClient({
  settings = { backend_url: 'https://health.example.com/', churn_tag: 'lost' },
  locale = 'en-US',
  role = 'admin',
  routes = {},
} = {}) {
  const client = {
    requests: [],
    invoked: [],
    handlers: {},
    routes,
    metadata: async () => ({ appId: 7, installationId: '9001', settings }),
    context: async () => ({ product: 'support', location: 'nav_bar', account: { subdomain: 'acme' } }),
    get: async (path) => (path === 'currentUser' ? { currentUser: { id: 555, locale, role } } : {}),
    invoke: async (name, ...args) => {
      client.invoked.push([name, ...args]);
      if (client.invokeFails) throw new Error('not supported');
    },
    on: (name, handler) => {
      client.handlers[name] = handler;
    },
    request: async (options) => {
      client.requests.push(options);
      const queue = routes[routeOf(options)];
      if (!queue || !queue.length) throw new Error(`no answer for ${routeOf(options)}`);
      const next = queue.length > 1 ? queue.shift() : queue[0];
      if (next.wait) await next.wait;
      if (next.reject) throw next.reject;
      return typeof next.resolve === 'function' ? next.resolve(options) : next.resolve;
    },
    sent: (route) => client.requests.filter((options) => routeOf(options) === route),
  };
  return client;
}

/** The page's view double: what each region shows, which view is revealed, focus, downloads. */
export function stubView() {
  return {
    regions: {},
    revealed: 'main',
    focused: [],
    downloads: [],
    show(region, html) {
      if (region === 'page') this.regions = { page: html };
      else this.regions[region] = html;
    },
    reveal(name) {
      this.revealed = name;
    },
    focus(selector) {
      this.focused.push(selector);
    },
    download(filename, text, type) {
      this.downloads.push({ filename, text, type });
    },
  };
}

/** A promise and its resolve, to hold an answer back. */
export function gate() {
  let open;
  const promise = new Promise((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

// Shared stubs: a ZAF client double, a root element double and fake timers.

export function healthReport(overrides = {}) {
  return {
    organization: { id: 42, name: 'Acme <GmbH>' },
    score: 63.4,
    colour: 'yellow',
    kpis: [
      {
        key: 'balance', value: -250.4, unit: '%', score: 0, colour: 'red', weight: 2, sample_size: 31, detail: {},
        thresholds: { good: 70, bad: 0 },
        tickets: [{ id: 901, reason: 'high_handle_time', value: 3.5, target: null }],
      },
      {
        key: 'feedback', value: 86.2, unit: '%', score: 64.8, colour: 'yellow', weight: 2, sample_size: 1, detail: {},
        thresholds: { good: 95, bad: 70 },
        tickets: [{ id: 811, reason: 'bad_rating', value: null, target: null }],
      },
      {
        key: 'touchpoints', value: 52, unit: '%', score: 30, colour: 'red', weight: 1, sample_size: 20, detail: {},
        thresholds: { good: 80, bad: 40 },
        tickets: [
          { id: 702, reason: 'many_replies', value: 6, target: null },
          { id: 701, reason: 'many_replies', value: 4, target: null },
        ],
      },
      {
        key: 'sla', value: null, unit: '%', score: null, colour: 'grey', weight: 3, sample_size: 2,
        detail: { reason: 'only 2 solved tickets with metrics' }, thresholds: { good: 95, bad: 75 }, tickets: [],
      },
    ],
    recommendations: [
      { kpi: 'balance', colour: 'red', text: 'Talk about the contract.' },
      { kpi: 'touchpoints', colour: 'red', text: 'Add a macro <b>now</b>.' },
      { kpi: 'feedback', colour: 'yellow', text: 'Third one, never shown.' },
    ],
    trend: {
      delta_30d: -4.1,
      history: [
        { date: '2026-09-01', score: 70 },
        { date: '2026-10-01', score: 67.5 },
        { date: '2026-11-01', score: 63.4 },
      ],
    },
    goal: { target: 70, reached: false, gap: 6.6 },
    phase: 'adoption',
    window_days: 90,
    thresholds: { green: 70, red: 40 },
    settings_warnings: [],
    settings_problems: [],
    computed_at: '2026-11-20T10:00:00Z',
    data_as_of: '2026-11-20T10:00:00Z',
    stale: false,
    ...overrides,
  };
}

export const NOW = new Date('2026-11-20T10:04:30Z');

/** A ZAF client double; `responses` are consumed by request() in order. */
export function stubClient({
  settings = { backend_url: 'https://health.example.com/' },
  location = 'ticket_sidebar',
  locale = 'en-US',
  role = 'agent',
  data = { 'ticket.organization': { id: 42, name: 'Acme' } },
  responses = [],
} = {}) {
  const client = {
    requests: [],
    invoked: [],
    handlers: {},
    data, // tests change it to move the ticket to another organization
    metadata: async () => ({ appId: 7, installationId: '9001', settings }),
    context: async () => ({ product: 'support', location, account: { subdomain: 'acme' } }),
    get: async (path) => {
      if (path === 'currentUser') return { currentUser: { id: 555, locale, name: 'Agent', role } };
      return { [path]: client.data[path] };
    },
    invoke: (name, ...args) => {
      client.invoked.push([name, ...args]);
    },
    on: (name, handler) => {
      client.handlers[name] = handler;
    },
    request: async (options) => {
      client.requests.push(options);
      const next = responses.shift();
      if (!next) throw new Error('no response queued');
      if (next.reject) throw next.reject;
      return next.resolve;
    },
  };
  return client;
}

export function stubRoot() {
  return {
    innerHTML: '',
    listeners: {},
    addEventListener(type, listener) {
      this.listeners[type] = listener;
    },
    /** A click on an element with data-action="action" and the given other attributes. */
    click(action, attributes = {}) {
      const all = { 'data-action': action, ...attributes };
      const target = { getAttribute: (name) => all[name] ?? null };
      this.listeners.click({ target: { closest: (selector) => (selector === '[data-action]' ? target : null) } });
    },
  };
}

export function fakeTimers() {
  let nextId = 1;
  const pending = new Map();
  return {
    pending,
    setTimeout: (fn, ms) => {
      const id = nextId++;
      pending.set(id, { fn, ms });
      return id;
    },
    clearTimeout: (id) => {
      pending.delete(id);
    },
    /** Runs every timer due now; answers the delays that ran. */
    runAll() {
      const due = [...pending.entries()];
      pending.clear();
      for (const [, timer] of due) timer.fn();
      return due.map(([, timer]) => timer.ms);
    },
  };
}

/** Lets queued promise callbacks run. */
export async function settle() {
  for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

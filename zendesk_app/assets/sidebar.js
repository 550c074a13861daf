// The sidebar's state machine: find the organization, ask the backend, poll while it computes,
// and render each state. It receives the ZAF client and its environment, so tests hand in stubs.
import { backendBaseUrl, fetchHealth } from './api.js';
import { languageFor, translator } from './i18n.js';
import { renderComputing, renderLoading, renderProblem, renderReport } from './render.js';

export const POLL_INTERVAL_MS = 1500;
export const AGO_TICK_MS = 60_000;
const RELOAD_DEBOUNCE_MS = 100;

/** Events after which the sidebar shows another organization, per location. */
export const RELOAD_EVENTS = {
  ticket_sidebar: ['ticket.requester.id.changed', 'ticket.organization.changed'],
  organization_sidebar: ['organization.id.changed'],
  user_sidebar: ['user.id.changed', 'user.organizations.changed'],
};

function idOf(organization) {
  if (organization === null || organization === undefined) return null;
  const id = typeof organization === 'object' ? organization.id : organization;
  return id === null || id === undefined || id === '' ? null : id;
}

function firstOrganizationId(organizations) {
  return Array.isArray(organizations) && organizations.length ? idOf(organizations[0]) : null;
}

/** The organization the current location is about, or null (e.g. requester without one). */
export async function resolveOrganizationId(client, location) {
  if (location === 'organization_sidebar') {
    return idOf((await client.get('organization'))['organization']);
  }
  if (location === 'user_sidebar') {
    return firstOrganizationId((await client.get('user.organizations'))['user.organizations']);
  }
  const fromTicket = idOf((await client.get('ticket.organization'))['ticket.organization']);
  if (fromTicket !== null) return fromTicket;
  const requester = (await client.get('ticket.requester'))['ticket.requester'];
  return requester ? firstOrganizationId(requester.organizations) : null;
}

/**
 * createSidebar(client, env) with env = { root, setTimeout, clearTimeout, now, ResizeObserver,
 * measure }. `root` needs only `innerHTML` and `addEventListener`.
 */
export function createSidebar(client, env) {
  const setTimer = env.setTimeout || globalThis.setTimeout;
  const clearTimer = env.clearTimeout || globalThis.clearTimeout;
  const now = env.now || (() => new Date());
  const root = env.root;
  let t = translator('en');
  let session = null; // { settings, subdomain, installationId, userId, location }
  let generation = 0;
  let pollTimer = null;
  let reloadTimer = null;
  let lastHeight = null;

  const sidebar = { state: 'idle', problem: null, report: null, progress: null };

  function resize() {
    const height = env.measure ? env.measure() : null;
    if (height === null || height === undefined || height === lastHeight) return;
    lastHeight = height;
    client.invoke('resize', { width: '100%', height: `${Math.ceil(height)}px` });
  }

  function show(state, html, extra = {}) {
    Object.assign(sidebar, { state, problem: null, report: null, progress: null }, extra);
    root.innerHTML = html;
    resize();
  }

  function showProblem(problem) {
    show(problem.kind, renderProblem(problem, t), { problem });
  }

  function cancelPoll() {
    if (pollTimer !== null) clearTimer(pollTimer);
    pollTimer = null;
  }

  // While a card stays open, "updated 4 min ago" keeps counting.
  function scheduleTick(current, report) {
    pollTimer = setTimer(() => {
      pollTimer = null;
      if (current !== generation) return;
      show('report', renderReport(report, t, now()), { report });
      scheduleTick(current, report);
    }, AGO_TICK_MS);
  }

  async function request(current, params) {
    const outcome = await fetchHealth(client, params);
    if (current !== generation) return; // a newer load superseded this one
    if (outcome.kind === 'report') {
      show('report', renderReport(outcome.report, t, now()), { report: outcome.report });
      scheduleTick(current, outcome.report);
    } else if (outcome.kind === 'computing') {
      show('computing', renderComputing(outcome.progress, t), { progress: outcome.progress });
      pollTimer = setTimer(() => {
        pollTimer = null;
        request(current, { ...params, refresh: false });
      }, POLL_INTERVAL_MS);
    } else {
      showProblem(outcome);
    }
  }

  /** Loads (or reloads) the card; `refresh` asks the backend to recompute. */
  async function load({ refresh = false } = {}) {
    const current = ++generation;
    cancelPoll();
    show('loading', renderLoading(t));
    const backendUrl = backendBaseUrl(session.settings);
    if (!backendUrl) {
      showProblem({ kind: 'not-configured', setting: 'backend_url' });
      return;
    }
    let organizationId;
    try {
      organizationId = await resolveOrganizationId(client, session.location);
    } catch {
      organizationId = null;
    }
    if (current !== generation) return;
    if (organizationId === null) {
      showProblem({ kind: 'no-organization' });
      return;
    }
    await request(current, {
      backendUrl,
      organizationId,
      subdomain: session.subdomain,
      installationId: session.installationId,
      userId: session.userId,
      language: t.language,
      refresh,
    });
  }

  function scheduleReload() {
    if (reloadTimer !== null) clearTimer(reloadTimer);
    reloadTimer = setTimer(() => {
      reloadTimer = null;
      load();
    }, RELOAD_DEBOUNCE_MS);
  }

  root.addEventListener('click', (event) => {
    const target = event.target && event.target.closest ? event.target.closest('[data-action]') : null;
    if (!target || !session) return;
    const action = target.getAttribute ? target.getAttribute('data-action') : target.dataset.action;
    if (action === 'refresh') load({ refresh: true });
    if (action === 'retry') load();
  });

  if (env.ResizeObserver && env.observed) {
    new env.ResizeObserver(() => resize()).observe(env.observed);
  }

  /** Reads who and where we are, subscribes to changes, and loads the first card. */
  sidebar.start = async () => {
    show('loading', renderLoading(t));
    const [metadata, context, user] = await Promise.all([
      client.metadata(),
      client.context(),
      client.get('currentUser'),
    ]);
    const currentUser = (user && user.currentUser) || {};
    t = translator(languageFor(currentUser.locale));
    if (env.onLanguage) env.onLanguage(t.language);
    session = {
      settings: (metadata && metadata.settings) || {},
      installationId: metadata && metadata.installationId,
      subdomain: context && context.account ? context.account.subdomain : undefined,
      location: (context && context.location) || 'ticket_sidebar',
      userId: currentUser.id,
    };
    for (const name of RELOAD_EVENTS[session.location] || []) client.on(name, scheduleReload);
    await load();
  };
  sidebar.load = load;
  sidebar.language = () => t.language;
  return sidebar;
}

/** Shown when the page is opened outside Zendesk, where ZAFClient.init() answers false. */
export function renderOutsideZendesk(root, locale) {
  root.innerHTML = renderProblem({ kind: 'outside-zendesk' }, translator(languageFor(locale)));
}

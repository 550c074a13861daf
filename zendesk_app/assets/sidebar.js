// The sidebar's state machine: find the organization, ask the backend, poll while it computes,
// and render each state. It receives the ZAF client and its environment, so tests hand in stubs.
import { backendBaseUrl, fetchHealth } from './api.js';
import { languageFor, translator } from './i18n.js';
import { renderComputing, renderLoading, renderProblem, renderReport } from './render.js';

export const POLL_INTERVAL_MS = 1500;
export const AGO_TICK_MS = 60_000;
// An answer marked `refreshing` (the backend recomputes it) is asked again this many times at
// most, POLL_INTERVAL_MS apart, so the card shows the new figures without another click.
export const REFRESHING_POLLS = 10;
const FOLLOW_DEBOUNCE_MS = 100;

/**
 * Documented events after which the organization may have changed, per location. On each the
 * card asks Zendesk again which organization it is about, and reloads only if that changed.
 * - `app.activated` (all locations): "fires when the app becomes active … when the user
 *   switches to the tab containing this instance of your app",
 *   https://developer.zendesk.com/api-reference/apps/apps-core-api/core_api/#appactivated.
 *   Zendesk documents no event for a ticket's organization field, so an organization chosen
 *   on the ticket is picked up here, when the agent comes back to the ticket.
 * - `ticket.requester.id.changed`: "Ticket change events",
 *   https://developer.zendesk.com/api-reference/apps/apps-support-api/ticket_sidebar/
 * - `user.organizations.changed`: "Events",
 *   https://developer.zendesk.com/api-reference/apps/apps-support-api/user_sidebar/
 * The organization sidebar always shows the same organization: its documented events are
 * field changes (organization.name.changed, …), none of which changes which one it is.
 */
export const FOLLOW_EVENTS = {
  ticket_sidebar: ['ticket.requester.id.changed', 'app.activated'],
  organization_sidebar: ['app.activated'],
  user_sidebar: ['user.organizations.changed', 'app.activated'],
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

/** The selector that finds an element again after the card is redrawn (keeps the focus). */
function focusSelector(element) {
  const action = element && element.getAttribute && element.getAttribute('data-action');
  if (!action) return null;
  const ticket = element.getAttribute('data-ticket-id');
  return `[data-action="${action}"]${ticket ? `[data-ticket-id="${ticket}"]` : ''}`;
}

/**
 * createSidebar(client, env) with env = { root, setTimeout, clearTimeout, now, ResizeObserver,
 * measure, log }. `root` needs only `innerHTML` and `addEventListener`.
 */
export function createSidebar(client, env) {
  const setTimer = env.setTimeout || globalThis.setTimeout;
  const clearTimer = env.clearTimeout || globalThis.clearTimeout;
  const now = env.now || (() => new Date());
  const log = env.log || ((message) => console.warn(message));
  const root = env.root;
  let t = translator('en');
  let session = null; // { settings, subdomain, installationId, userId, location }
  let generation = 0;
  let pollTimer = null;
  let followTimer = null;
  let lastHeight = null;
  let organizationId = null; // the organization the card shows (or loads)
  const view = { isAdmin: false, allRecommendations: false };

  const sidebar = { state: 'idle', problem: null, report: null, progress: null };

  function resize() {
    const height = env.measure ? env.measure() : null;
    if (height === null || height === undefined || height === lastHeight) return;
    lastHeight = height;
    client.invoke('resize', { width: '100%', height: `${Math.ceil(height)}px` });
  }

  /** Draws the card; a focused button keeps the focus across the redraw. */
  function paint(html) {
    const doc = root.ownerDocument;
    const active = doc && root.contains && root.contains(doc.activeElement) ? doc.activeElement : null;
    const selector = focusSelector(active);
    root.innerHTML = html;
    const again = selector && root.querySelector ? root.querySelector(selector) : null;
    if (again) again.focus();
  }

  function show(state, html, extra = {}) {
    Object.assign(sidebar, { state, problem: null, report: null, progress: null }, extra);
    paint(html);
    resize();
  }

  function showProblem(problem) {
    if (problem.detail) {
      // The technical reason goes to the browser's log; agents see a sentence, admins both.
      log(`Customer Health: ${problem.code || 'error'} (HTTP ${problem.status || 0}): ${problem.detail}`);
    }
    show('problem', renderProblem(problem, t, view), { problem });
  }

  function showReport(report) {
    if (report.stale && report.stale_reason) {
      log(`Customer Health: stale (${report.stale_code || 'unknown'}): ${report.stale_reason}`);
    }
    show('report', renderReport(report, t, now(), view), { report });
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
      show('report', renderReport(report, t, now(), view), { report });
      scheduleTick(current, report);
    }, AGO_TICK_MS);
  }

  function pollAgain(current, params, followUps) {
    pollTimer = setTimer(() => {
      pollTimer = null;
      request(current, { ...params, refresh: false }, followUps);
    }, POLL_INTERVAL_MS);
  }

  /** `followUps`: how many refreshing answers were asked again already (REFRESHING_POLLS). */
  async function request(current, params, followUps = 0) {
    const outcome = await fetchHealth(client, params);
    if (current !== generation) return; // a newer load superseded this one
    if (outcome.kind === 'report') {
      showReport(outcome.report);
      if (outcome.report.refreshing && followUps < REFRESHING_POLLS) pollAgain(current, params, followUps + 1);
      else scheduleTick(current, outcome.report);
    } else if (outcome.kind === 'computing') {
      show('computing', renderComputing(outcome.progress, t), { progress: outcome.progress });
      pollAgain(current, params, followUps);
    } else {
      showProblem(outcome);
    }
  }

  async function currentOrganization() {
    try {
      return await resolveOrganizationId(client, session.location);
    } catch {
      return null;
    }
  }

  /** Loads (or reloads) the card; `refresh` asks the backend to recompute. */
  async function load({ refresh = false } = {}) {
    const current = ++generation;
    cancelPoll();
    show('loading', renderLoading(t));
    const backendUrl = backendBaseUrl(session.settings);
    if (!backendUrl) {
      showProblem({ code: 'not_configured', setting: 'backend_url' });
      return;
    }
    const resolved = await currentOrganization();
    if (current !== generation) return;
    if (String(resolved) !== String(organizationId)) view.allRecommendations = false;
    organizationId = resolved;
    if (organizationId === null) {
      showProblem({ code: 'no_organization', location: session.location });
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

  /** After a FOLLOW_EVENTS event: reload only when the organization is another one now. */
  async function follow() {
    const current = generation;
    const resolved = await currentOrganization();
    if (current !== generation) return; // a load started meanwhile resolves for itself
    if (String(resolved) !== String(organizationId)) await load();
  }

  function scheduleFollow() {
    if (followTimer !== null) clearTimer(followTimer);
    followTimer = setTimer(() => {
      followTimer = null;
      follow();
    }, FOLLOW_DEBOUNCE_MS);
  }

  function attribute(element, name) {
    if (element.getAttribute) return element.getAttribute(name);
    return null;
  }

  root.addEventListener('click', (event) => {
    const target = event.target && event.target.closest ? event.target.closest('[data-action]') : null;
    if (!target || !session) return;
    const action = attribute(target, 'data-action');
    if (action === 'refresh') load({ refresh: true });
    if (action === 'retry') load();
    if (action === 'open-ticket') {
      const ticketId = Number.parseInt(attribute(target, 'data-ticket-id'), 10);
      // Documented: client.invoke('routeTo', 'ticket', ticketId) opens the ticket in a tab,
      // https://developer.zendesk.com/api-reference/apps/apps-support-api/all_locations/#routeto
      if (Number.isInteger(ticketId) && ticketId > 0) client.invoke('routeTo', 'ticket', ticketId);
    }
    if (action === 'more-recommendations' && sidebar.report) {
      view.allRecommendations = !view.allRecommendations;
      show('report', renderReport(sidebar.report, t, now(), view), { report: sidebar.report });
    }
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
    // For what the card shows only (technical details, settings problems): the backend
    // never trusts a role from the browser.
    view.isAdmin = currentUser.role === 'admin';
    session = {
      settings: (metadata && metadata.settings) || {},
      installationId: metadata && metadata.installationId,
      subdomain: context && context.account ? context.account.subdomain : undefined,
      location: (context && context.location) || 'ticket_sidebar',
      userId: currentUser.id,
    };
    for (const name of FOLLOW_EVENTS[session.location] || []) client.on(name, scheduleFollow);
    await load();
  };
  sidebar.load = load;
  sidebar.language = () => t.language;
  sidebar.view = view;
  return sidebar;
}

/** Shown when the page is opened outside Zendesk, where ZAFClient.init() answers false. */
export function renderOutsideZendesk(root, locale) {
  root.innerHTML = renderProblem({ code: 'outside_zendesk' }, translator(languageFor(locale)));
}

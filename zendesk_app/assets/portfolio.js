// The portfolio page's state machine (the app's nav_bar location): load the portfolio, poll the
// first sync, filter and sort the table, try settings live, open an organization's detail.
// It receives the ZAF client and a `view` that owns the DOM, so tests hand in stubs of both.
import { backendBaseUrl } from './api.js';
import { languageFor, translator } from './i18n.js';
import { portfolioApi } from './portfolio-api.js';
import {
  DEFAULT_SORT,
  TARGET_SHARES,
  isFirstSync,
  nextSort,
  parseSettingNumber,
  previewBody,
  sameSettings,
  sameWeights,
  settingsInForce,
  tableQuery,
  thresholdProblem,
} from './portfolio-model.js';
import {
  renderBacktest,
  renderDetail,
  renderDistributionSection,
  renderEmptyPage,
  renderFocus,
  renderHeader,
  renderHistogramSection,
  renderPageLoading,
  renderPageProblem,
  renderSkeleton,
  renderSyncStatus,
  renderSyncingPage,
  renderTableControls,
  renderTableRows,
  renderWhatIfActions,
  renderWhatIfControls,
  renderWhatIfResult,
} from './portfolio-render.js';
import { renderProblem } from './render.js';

export const SYNC_POLL_MS = 2000;
export const PREVIEW_DEBOUNCE_MS = 300;
export const DETAIL_POLL_MS = 1500;
// A detail marked `refreshing` (the backend recomputes it) is asked again at most this often.
export const REFRESHING_POLLS = 10;
export const PAGE_SIZE = 100;
export const CSV_FILENAME = 'customer-health-portfolio.csv';
const DEFAULT_CHURN_TAG = 'churned';

const copy = (settings) => ({ ...settings, weights: { ...settings.weights } });

/**
 * createPortfolio(client, env) with env = { view, setTimeout, clearTimeout, now, log }; `view`
 * has show(region, html) ('page' is the whole page), reveal('main' | 'detail'), focus(selector)
 * and download(filename, text, type).
 */
export function createPortfolio(client, env) {
  const setTimer = env.setTimeout || globalThis.setTimeout;
  const clearTimer = env.clearTimeout || globalThis.clearTimeout;
  const now = env.now || (() => new Date());
  const log = env.log || ((message) => console.warn(message));
  const view = env.view;
  // What this user sees, as on the card: technical details for admins only (currentUser.role
  // decides only what is shown; the backend never trusts a role from the browser).
  const seen = { isAdmin: false, allRecommendations: false };
  let t = translator('en');
  let settings = {};
  let api = null;
  // A request's answer is used only while its generation is still the latest ("latest wins").
  const generations = { load: 0, table: 0, preview: 0, detail: 0 };
  const timers = { sync: null, preview: null, detail: null };

  const page = {
    state: 'idle',
    problem: null,
    portfolio: null,
    backtest: null,
    whatif: null,
    table: null,
    detail: null,
  };

  function cancel(name) {
    if (timers[name] !== null) clearTimer(timers[name]);
    timers[name] = null;
  }

  function schedule(name, ms, fn) {
    cancel(name);
    timers[name] = setTimer(() => {
      timers[name] = null;
      fn();
    }, ms);
  }

  function showPage(state, html) {
    page.state = state;
    view.show('page', html);
  }

  /** The technical reason of a failure goes to the browser's log; admins also see it. */
  function logProblem(problem) {
    if (problem && problem.detail) {
      log(`Customer Health: ${problem.code || 'error'} (HTTP ${problem.status || 0}): ${problem.detail}`);
    }
  }

  function showProblem(problem) {
    page.problem = problem;
    logProblem(problem);
    showPage('problem', renderPageProblem(problem, t, seen));
  }

  // --- regions --------------------------------------------------------------------------

  const regions = {
    header: () => renderHeader(page.portfolio, now(), t),
    status: () => renderSyncStatus(page.portfolio.sync, t, seen),
    distribution: () => renderDistributionSection(page.portfolio.distribution, t),
    histogram: () => renderHistogramSection(page.portfolio.organizations, page.whatif.current, t),
    backtest: () => renderBacktest(page.backtest, settings.churn_tag || DEFAULT_CHURN_TAG, t, seen),
    focus: () => renderFocus(page.portfolio, t),
    'whatif-controls': () => renderWhatIfControls(page.whatif, t),
    'whatif-actions': () => renderWhatIfActions(page.whatif, t, seen),
    'whatif-result': () => renderWhatIfResult(page.whatif, page.portfolio.distribution, t, seen),
    'table-controls': () => renderTableControls(page.table, t, seen),
    'table-rows': () => renderTableRows(page.table, t, seen),
  };

  function render(...names) {
    if (page.state !== 'ready') return;
    for (const name of names) view.show(name, regions[name]());
  }

  // --- loading the portfolio and the first sync -----------------------------------------

  async function load() {
    const current = ++generations.load;
    generations.table += 1;
    cancel('sync');
    closeDetail({ focus: false });
    showPage('loading', renderPageLoading(t));
    if (!api) {
      showProblem({ code: 'not_configured', setting: 'backend_url' });
      return;
    }
    const table = page.table || { filters: {}, sort: DEFAULT_SORT };
    const [outcome, backtest] = await Promise.all([
      api.portfolio(tableQuery({ sort: table.sort })),
      api.backtest(),
    ]);
    if (current !== generations.load) return;
    if (outcome.kind !== 'ok') {
      showProblem(outcome);
      return;
    }
    const portfolio = outcome.body;
    page.portfolio = portfolio;
    page.backtest = backtest;
    if (backtest.kind !== 'ok') logProblem(backtest);
    const inForce = settingsInForce(settings, portfolio.thresholds);
    const kept = page.whatif && !sameSettings(page.whatif.current, page.whatif.candidate);
    page.whatif = {
      current: inForce,
      candidate: kept ? page.whatif.candidate : copy(inForce),
      calibration: kept ? page.whatif.calibration : null,
      preview: null,
    };
    // The first answer is unfiltered; filters the agent had set are asked for again below.
    const filtered = Object.values(table.filters).some(Boolean);
    page.table = {
      ...table,
      shown: PAGE_SIZE,
      pageSize: PAGE_SIZE,
      status: filtered ? 'loading' : 'ok',
      organizations: filtered ? [] : portfolio.organizations,
      csvProblem: null,
    };
    const organizations = portfolio.organizations;
    if (!organizations.length && isFirstSync(portfolio.sync)) {
      showPage('syncing', renderSyncingPage(portfolio.sync, t, seen));
    } else if (!organizations.length) {
      showPage('empty', renderEmptyPage(portfolio.sync, t, seen));
    } else {
      showPage('ready', renderSkeleton(t));
      render(...Object.keys(regions));
      if (filtered) loadTable();
      if (kept) schedulePreview();
    }
    if (isFirstSync(portfolio.sync)) schedule('sync', SYNC_POLL_MS, () => pollSync(current));
  }

  async function pollSync(current) {
    const outcome = await api.sync();
    if (current !== generations.load) return;
    if (outcome.kind === 'ok' && !isFirstSync(outcome.body)) {
      await load(); // the first sync is done: the whole portfolio is there now
      return;
    }
    if (outcome.kind === 'ok') {
      page.portfolio.sync = outcome.body;
      if (page.state === 'syncing') showPage('syncing', renderSyncingPage(outcome.body, t, seen));
      else render('status');
    }
    // A failed poll keeps the last progress on screen and asks again.
    schedule('sync', SYNC_POLL_MS, () => pollSync(current));
  }

  // --- the table ------------------------------------------------------------------------

  /** Asks for the table again; `focus` is where the keyboard goes once the rows are back. */
  async function loadTable(focus = null) {
    const current = ++generations.table;
    page.table.status = 'loading';
    render('table-rows');
    const outcome = await api.portfolio(tableQuery(page.table));
    if (current !== generations.table) return;
    if (outcome.kind === 'ok') {
      Object.assign(page.table, { status: 'ok', organizations: outcome.body.organizations, outcome: null });
    } else {
      logProblem(outcome);
      Object.assign(page.table, { status: 'failed', outcome });
    }
    render('table-rows');
    if (focus) view.focus(focus);
  }

  function setFilter(name, value) {
    if (!page.table || !['colour', 'phase', 'goal'].includes(name)) return;
    page.table.filters = { ...page.table.filters, [name]: value || '' };
    page.table.shown = PAGE_SIZE;
    return loadTable();
  }

  function sortBy(field) {
    if (!page.table) return;
    page.table.sort = nextSort(page.table.sort, field);
    page.table.shown = PAGE_SIZE;
    return loadTable(`[data-sort="${field}"]`);
  }

  function showMore() {
    const first = page.table.shown + 1;
    page.table.shown += PAGE_SIZE;
    render('table-rows');
    view.focus(`.portfolio-table tbody tr:nth-child(${first}) [data-action="open"]`);
  }

  async function downloadCsv() {
    const outcome = await api.csv(tableQuery(page.table));
    page.table.csvProblem = outcome.kind === 'ok' ? null : outcome;
    logProblem(page.table.csvProblem);
    render('table-controls');
    if (outcome.kind === 'ok') view.download(CSV_FILENAME, outcome.body, 'text/csv;charset=utf-8');
  }

  // --- what-if --------------------------------------------------------------------------

  function schedulePreview() {
    const current = ++generations.preview;
    cancel('preview');
    const { whatif } = page;
    if (sameSettings(whatif.current, whatif.candidate) || thresholdProblem(whatif.candidate)) {
      whatif.preview = null;
      render('whatif-actions', 'whatif-result');
      return;
    }
    whatif.preview = { status: 'computing' };
    render('whatif-actions', 'whatif-result');
    schedule('preview', PREVIEW_DEBOUNCE_MS, async () => {
      const outcome = await api.preview(previewBody(whatif.candidate));
      if (current !== generations.preview) return; // a newer candidate is on its way
      if (outcome.kind !== 'ok') logProblem(outcome);
      whatif.preview = { status: 'done', outcome };
      render('whatif-result');
    });
  }

  function setWeight(kpi, value) {
    const weight = parseSettingNumber(value);
    if (!page.whatif || !(kpi in page.whatif.candidate.weights) || weight === null) return;
    page.whatif.candidate.weights[kpi] = weight;
    schedulePreview();
  }

  function setThreshold(which, value) {
    if (!page.whatif || !['green', 'red'].includes(which)) return;
    page.whatif.candidate[which] = parseSettingNumber(value);
    schedulePreview();
  }

  async function calibrate() {
    const { whatif } = page;
    if (!sameWeights(whatif.current, whatif.candidate)) return; // calibration uses the weights in force
    const outcome = await api.calibration(TARGET_SHARES);
    if (page.whatif !== whatif) return;
    if (outcome.kind !== 'ok') logProblem(outcome);
    whatif.calibration = outcome;
    const body = outcome.kind === 'ok' ? outcome.body : null;
    if (body && typeof body.green_threshold === 'number' && typeof body.red_threshold === 'number') {
      whatif.candidate.green = body.green_threshold;
      whatif.candidate.red = body.red_threshold;
      render('whatif-controls');
    }
    schedulePreview();
    view.focus('[data-action="calibrate"]');
  }

  function resetWhatIf() {
    page.whatif.candidate = copy(page.whatif.current);
    page.whatif.calibration = null;
    render('whatif-controls');
    schedulePreview();
    view.focus('[data-weight="balance"]');
  }

  // --- an organization's detail ---------------------------------------------------------

  function nameOf(id) {
    const lists = [page.portfolio && page.portfolio.organizations, page.table && page.table.organizations];
    for (const list of lists) {
      const found = (list || []).find((organization) => String(organization.id) === String(id));
      if (found) return found.name;
    }
    const change = page.whatif && page.whatif.preview && page.whatif.preview.outcome;
    const changes = change && change.kind === 'ok' ? change.body.changes : [];
    const found = changes.find((item) => String(item.id) === String(id));
    return found ? found.name : null;
  }

  function showDetail() {
    view.show('detail', renderDetail(page.detail, page.whatif && page.whatif.current, t, now(), seen));
  }

  /** `followUps`: how many refreshing answers were asked again already (REFRESHING_POLLS). */
  async function requestDetail(current, refresh, followUps = 0) {
    const outcome = await api.health(page.detail.id, { refresh });
    if (current !== generations.detail) return;
    const detail = page.detail;
    if (outcome.kind === 'report') {
      Object.assign(detail, { status: 'report', report: outcome.report, name: outcome.report.organization?.name || detail.name });
      if (outcome.report.refreshing && followUps < REFRESHING_POLLS) {
        schedule('detail', DETAIL_POLL_MS, () => requestDetail(current, false, followUps + 1));
      }
    } else if (outcome.kind === 'computing') {
      Object.assign(detail, { status: 'computing', progress: outcome.progress });
      schedule('detail', DETAIL_POLL_MS, () => requestDetail(current, false, followUps));
    } else {
      logProblem(outcome);
      Object.assign(detail, { status: 'problem', problem: outcome });
    }
    showDetail();
  }

  /** Opens the detail; `region` is where the click came from, for the way back. */
  function openOrganization(id, region) {
    if (page.state !== 'ready' || id === null || id === undefined || id === '') return;
    const current = ++generations.detail;
    cancel('detail');
    const button = `[data-action="open"][data-org="${id}"]`;
    const opener = region ? `[data-region="${region}"] ${button}` : button;
    page.detail = { id, name: nameOf(id), status: 'loading', opener };
    seen.allRecommendations = false;
    view.reveal('detail');
    showDetail();
    view.focus('#detail-title');
    requestDetail(current, false);
  }

  /** Asks for the detail again; `refresh` makes the backend recompute (the card's button). */
  function reloadDetail(refresh) {
    if (!page.detail) return;
    const current = ++generations.detail;
    cancel('detail');
    page.detail.status = 'loading';
    showDetail();
    requestDetail(current, refresh);
  }

  function closeDetail({ focus = true } = {}) {
    generations.detail += 1;
    cancel('detail');
    const detail = page.detail;
    page.detail = null;
    if (!detail) return;
    view.reveal('main');
    if (focus) view.focus(detail.opener);
  }

  /** The card's drill-down: a ticket that pulls a KPI down opens in Zendesk, as on the card. */
  function openTicket(ticketId) {
    const id = Number.parseInt(ticketId, 10);
    // Documented: client.invoke('routeTo', 'ticket', ticketId) opens the ticket in a tab,
    // https://developer.zendesk.com/api-reference/apps/apps-support-api/all_locations/#routeto
    if (Number.isInteger(id) && id > 0) client.invoke('routeTo', 'ticket', id);
  }

  function toggleRecommendations() {
    if (!page.detail || page.detail.status !== 'report') return;
    seen.allRecommendations = !seen.allRecommendations;
    showDetail();
  }

  async function openInZendesk() {
    const detail = page.detail;
    if (!detail) return;
    try {
      // A documented routeTo target of Zendesk Support: the organization's own page.
      await client.invoke('routeTo', 'organization', Number(detail.id));
      detail.routeFailed = false;
    } catch {
      detail.routeFailed = true;
      showDetail();
    }
  }

  // --- wiring -----------------------------------------------------------------------------

  /** One place maps the page's controls to what they do (see bindPortfolio). */
  page.act = (action, data = {}) => {
    const handlers = {
      reload: load,
      // The detail shows the sidebar's problems, whose button is "retry" too.
      retry: () => (page.detail ? reloadDetail(false) : load()),
      'reload-table': () => loadTable(),
      sort: () => sortBy(data.sort),
      more: showMore,
      csv: downloadCsv,
      calibrate,
      reset: resetWhatIf,
      open: () => openOrganization(data.org, data.region),
      back: () => closeDetail(),
      zendesk: openInZendesk,
      refresh: () => reloadDetail(true),
      'open-ticket': () => openTicket(data.ticket),
      'more-recommendations': toggleRecommendations,
    };
    return handlers[action] ? handlers[action]() : undefined;
  };
  page.setFilter = setFilter;
  page.setWeight = setWeight;
  page.setThreshold = setThreshold;

  /** Reads who and where we are, then loads the portfolio. */
  page.start = async () => {
    showPage('loading', renderPageLoading(t));
    const [metadata, context, user] = await Promise.all([
      client.metadata(),
      client.context(),
      client.get('currentUser'),
    ]);
    const currentUser = (user && user.currentUser) || {};
    t = translator(languageFor(currentUser.locale));
    seen.isAdmin = currentUser.role === 'admin';
    if (env.onLanguage) env.onLanguage(t.language);
    settings = (metadata && metadata.settings) || {};
    const backendUrl = backendBaseUrl(settings);
    api = backendUrl
      ? portfolioApi(client, {
          backendUrl,
          subdomain: context && context.account ? context.account.subdomain : undefined,
          installationId: metadata && metadata.installationId,
          userId: currentUser.id,
          language: t.language,
        })
      : null;
    await load();
  };
  page.load = load;
  page.language = () => t.language;
  return page;
}

/**
 * Maps DOM events under `root` to the page's actions: clicks on [data-action], changes of the
 * filters and weights, input in the threshold fields. `root` needs only addEventListener.
 */
export function bindPortfolio(root, page) {
  const attribute = (element, name) => (element.getAttribute ? element.getAttribute(name) : null);
  root.addEventListener('click', (event) => {
    const target = event.target && event.target.closest ? event.target.closest('[data-action]') : null;
    if (!target || target.disabled) return;
    const region = target.closest('[data-region]');
    page.act(attribute(target, 'data-action'), {
      sort: attribute(target, 'data-sort'),
      org: attribute(target, 'data-org'),
      ticket: attribute(target, 'data-ticket-id'),
      region: region ? attribute(region, 'data-region') : null,
    });
  });
  root.addEventListener('change', (event) => {
    const target = event.target;
    if (!target || !target.getAttribute) return;
    if (target.getAttribute('data-filter')) page.setFilter(target.getAttribute('data-filter'), target.value);
    if (target.getAttribute('data-weight')) page.setWeight(target.getAttribute('data-weight'), target.value);
  });
  root.addEventListener('input', (event) => {
    const target = event.target;
    if (target && target.getAttribute && target.getAttribute('data-threshold')) {
      page.setThreshold(target.getAttribute('data-threshold'), target.value);
    }
  });
}

/** Shown when the page is opened outside Zendesk, where ZAFClient.init() answers false. */
export function renderPortfolioOutsideZendesk(root, locale) {
  root.innerHTML = renderProblem({ code: 'outside_zendesk' }, translator(languageFor(locale)));
}

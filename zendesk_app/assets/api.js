// Calls to the Customer Health backend, always through Zendesk's signing proxy (DESIGN §3).

export const JWT_AUDIENCE = 'customer-health';
export const JWT_EXPIRY_SECONDS = 3600;

/** The backend base URL from the installation settings, without a trailing slash, or null. */
export function backendBaseUrl(settings) {
  const raw = settings && typeof settings.backend_url === 'string' ? settings.backend_url.trim() : '';
  return raw ? raw.replace(/\/+$/, '') : null;
}

/**
 * The exact client.request options for one signed call to the backend. Zendesk substitutes the
 * secure shared secret into `jwt.secret_key`, signs the token and puts it where `{{jwt.token}}`
 * is. `query` is a list of [name, value] pairs; `body` (POST) is sent as JSON.
 */
export function signedRequestOptions({
  backendUrl,
  path,
  query = [],
  type = 'GET',
  body,
  dataType = 'json',
  subdomain,
  installationId,
  userId,
  now = Math.floor(Date.now() / 1000),
}) {
  const search = query.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&');
  const options = {
    url: `${backendUrl}${path}${search ? `?${search}` : ''}`,
    type,
    secure: true,
    cors: false,
    headers: { Authorization: 'Bearer {{jwt.token}}' },
    jwt: {
      algorithm: 'HS256',
      secret_key: '{{setting.shared_secret}}',
      expiry: JWT_EXPIRY_SECONDS,
      // iat and exp are set here too: the backend requires them (DESIGN §3), and the app
      // must not depend on whether Zendesk's proxy adds them from `expiry`.
      claims: {
        iss: subdomain,
        aud: JWT_AUDIENCE,
        iat: now,
        exp: now + JWT_EXPIRY_SECONDS,
        installation_id: Number.parseInt(installationId, 10),
        sub: String(userId),
      },
    },
    dataType,
  };
  if (body !== undefined) {
    options.contentType = 'application/json';
    options.data = JSON.stringify(body);
  }
  return options;
}

/** The options for one health request (DESIGN §5). */
export function healthRequestOptions({ organizationId, language, refresh = false, ...identity }) {
  const query = [];
  if (refresh) query.push(['refresh', '1']);
  if (language) query.push(['locale', language]);
  const path = `/api/v1/organizations/${encodeURIComponent(organizationId)}/health`;
  return signedRequestOptions({ ...identity, path, query });
}

function parseBody(response) {
  if (!response || typeof response !== 'object') return null;
  if (response.responseJSON && typeof response.responseJSON === 'object') {
    return response.responseJSON;
  }
  if (typeof response.responseText === 'string' && response.responseText) {
    try {
      return JSON.parse(response.responseText);
    } catch {
      return null;
    }
  }
  return null;
}

/** The backend's error text: FastAPI's `detail`, a string or a list of validation errors. */
function detailText(body) {
  if (!body || body.detail === undefined || body.detail === null) return null;
  if (typeof body.detail === 'string') return body.detail;
  if (Array.isArray(body.detail)) {
    return body.detail.map((item) => (item && item.msg ? item.msg : JSON.stringify(item))).join('; ');
  }
  return JSON.stringify(body.detail);
}

const PROXY_DETAIL_LIMIT = 300;

/** What came back instead of the backend's answer, for admins: status and a short excerpt. */
function proxyDetail(response, status) {
  const text = response && typeof response.responseText === 'string' ? response.responseText.trim() : '';
  const excerpt = text.length > PROXY_DETAIL_LIMIT ? `${text.slice(0, PROXY_DETAIL_LIMIT)}…` : text;
  if (!status && !excerpt) return null;
  return [status ? `HTTP ${status}` : '', excerpt].filter(Boolean).join(': ');
}

/**
 * Maps a rejected client.request to a problem { kind: 'problem', code, status, detail }. Only
 * answers carrying the backend's {"detail": …} came from the backend (its `code` says what
 * failed); anything else (status 0, a proxy error page, Zendesk's own error JSON) means the
 * backend was not reached.
 */
export function classifyFailure(response) {
  const status = response && typeof response === 'object' ? Number(response.status) || 0 : 0;
  const body = parseBody(response);
  const detail = detailText(body);
  if (detail === null) {
    return { kind: 'problem', code: 'backend_unreachable', status, detail: proxyDetail(response, status) };
  }
  const code = body && typeof body.code === 'string' && body.code ? body.code : null;
  return { kind: 'problem', code, status, detail };
}

/** Maps a resolved client.request body: the health report, or the 202 "computing" answer. */
export function classifySuccess(body) {
  if (body && typeof body === 'object' && body.status === 'computing') {
    const progress = body.progress && typeof body.progress === 'object' ? body.progress : {};
    return { kind: 'computing', progress };
  }
  if (body && typeof body === 'object' && Array.isArray(body.kpis)) {
    return { kind: 'report', report: body };
  }
  return { kind: 'problem', code: 'internal_error', status: 200, detail: 'the answer is not a health report' };
}

/** One health request; never rejects, answers an outcome { kind, … }. */
export async function fetchHealth(client, params) {
  let body;
  try {
    body = await client.request(healthRequestOptions(params));
  } catch (failure) {
    return classifyFailure(failure);
  }
  return classifySuccess(body);
}

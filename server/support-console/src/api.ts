import type {
  ConnectionDetail,
  ConnectionActivity,
  ConnectionList,
  ConnectionStatus,
  SupportOverview,
} from '../../../shared/contracts/connection-status.js';

export type ConsoleDetail = ConnectionDetail & { activity: ConnectionActivity; webhook_url: string | null };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;

export const loginUrl = () => `/support/login?next=${encodeURIComponent(location.pathname + location.search)}`;

/**
 * The console's one client for `/api/support`. The session cookie travels on its own; unsafe
 * requests add the CSRF token; a lost session sends the browser back to the login page.
 */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const login = method === 'POST' && path === '/session';
  if (method !== 'GET' && !login) {
    csrfToken ??= (await api<{ csrf_token: string }>('GET', '/session')).csrf_token;
    headers['X-CSRF-Token'] = csrfToken;
  }
  const res = await fetch(`/api/support${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 401 && !login) {
    location.assign(loginUrl());
    throw new ApiError(401, 'unauthorized', 'Your session ended; log in again.');
  }
  if (res.status === 204) return undefined as T;
  const json = (await res.json().catch(() => ({}))) as T & { error?: { code: string; message: string } };
  if (!res.ok) throw new ApiError(res.status, json.error?.code ?? 'error', json.error?.message ?? `The server answered ${res.status}`);
  return json;
}

export const supportApi = {
  login: (token: string) =>
    api<{ csrf_token: string }>('POST', '/session', { token }).then((s) => {
      csrfToken = s.csrf_token;
    }),
  logout: () => api<void>('DELETE', '/session'),
  overview: () => api<SupportOverview>('GET', '/overview'),
  list: (query: string) => api<ConnectionList>('GET', `/connections?${query}`),
  detail: (id: string) => api<ConsoleDetail>('GET', `/connections/${encodeURIComponent(id)}`),
  act: (id: string, action: string, body?: unknown) =>
    api<ConnectionDetail>('POST', `/connections/${encodeURIComponent(id)}/${action}`, body ?? {}),
  rerunReports: (id: string, type?: string) => api('POST', `/connections/${encodeURIComponent(id)}/reports/run`, type ? { type } : {}),
  rotateWebhookSecret: (id: string, secret: string) =>
    api('PUT', `/connections/${encodeURIComponent(id)}/webhook-secret`, { webhook_secret: secret }),
  rotateApiKey: (id: string, key: string) =>
    api<{ warnings: string[] }>('PUT', `/connections/${encodeURIComponent(id)}/api-key`, { api_key: key }),
  add: (body: { name: string; api_key: string; merchant_id?: string; webhook_secret?: string }) =>
    api<{ connection: ConnectionStatus; warnings: string[]; webhook_url: string | null }>('POST', '/connections', body),
};

import fetchStripeSignature from '@stripe/ui-extension-sdk/signature';
import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import type { AppSettings, Insights } from '../../shared/contracts/app-api';
import type { ConnectionStatus } from '../../shared/contracts/connection-status';

export type AppStatus = (ConnectionStatus & { install_url: string }) | { connected: false; install_url: string };
export type SettingsWithPause = AppSettings & { paused: boolean };

/** Everything the views ask of the backend. The one seam tests substitute. */
export interface BackendClient {
  status(): Promise<AppStatus>;
  settings(): Promise<SettingsWithPause>;
  saveSettings(settings: AppSettings): Promise<SettingsWithPause>;
  insights(days: number): Promise<Insights>;
  act(action: 'resync' | 'pause' | 'resume'): Promise<ConnectionStatus>;
}

export class BackendError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

/**
 * Every request is signed with `fetchStripeSignature({mode})` and carries `user_id`,
 * `account_id` and `mode` (query for GET, JSON body otherwise); the backend trusts only those.
 */
export function createBackendClient(context: ExtensionContextValue): BackendClient {
  const base = `${String(context.environment.constants?.BACKEND_URL ?? '')}/api/app`;
  const identity = {
    user_id: context.userContext.id ?? '',
    account_id: context.userContext.account.id,
    mode: context.environment.mode === 'live' ? 'live' : 'test',
  };
  const request = async <T>(method: string, path: string, body?: Record<string, unknown>): Promise<T> => {
    const signature = await fetchStripeSignature({ mode: identity.mode });
    const query = method === 'GET' ? `${path.includes('?') ? '&' : '?'}${new URLSearchParams(identity).toString()}` : '';
    const res = await fetch(`${base}${path}${query}`, {
      method,
      headers: { 'Stripe-Signature': signature, 'Content-Type': 'application/json' },
      body: method === 'GET' ? undefined : JSON.stringify({ ...identity, ...body }),
    });
    const json = (await res.json()) as T & { error?: { code: string; message: string } };
    if (!res.ok) throw new BackendError(json.error?.message ?? `Request failed (${res.status})`, json.error?.code ?? 'error');
    return json;
  };
  return {
    status: () => request('GET', '/status'),
    settings: () => request('GET', '/settings'),
    saveSettings: (settings) => request('PUT', '/settings', settings),
    insights: (days) => request('GET', `/insights?days=${days}`),
    act: (action) => request('POST', `/actions/${action}`),
  };
}

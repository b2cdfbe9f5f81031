import fetchStripeSignature from '@stripe/ui-extension-sdk/signature';
import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import { signatureFields, signedTarget, type AppSettings, type Insights } from '../../shared/contracts/app-api';
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

class BackendError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Every request carries `user_id`, `account_id` and `mode` (query for GET, JSON body otherwise)
 * and is signed with `fetchStripeSignature` over them plus its method, target and body digest
 * (shared/contracts/app-api.ts); the backend trusts only those.
 */
export function createBackendClient(context: ExtensionContextValue): BackendClient {
  const base = `${String(context.environment.constants?.BACKEND_URL ?? '')}/api/app`;
  const identity = {
    user_id: context.userContext.id ?? '',
    account_id: context.userContext.account.id,
    mode: (context.environment.mode === 'live' ? 'live' : 'test') as 'live' | 'test',
  };
  const request = async <T>(method: string, path: string, body?: Record<string, unknown>): Promise<T> => {
    const text = method === 'GET' ? undefined : JSON.stringify({ ...identity, ...body });
    // The signature binds this method, target and body: it authorizes this request and no other.
    const signature = await fetchStripeSignature(
      signatureFields(identity.mode, { method, path: signedTarget(path), body_sha256: await sha256Hex(text ?? '') }),
    );
    const query = method === 'GET' ? `${path.includes('?') ? '&' : '?'}${new URLSearchParams(identity).toString()}` : '';
    const res = await fetch(`${base}${path}${query}`, {
      method,
      headers: { 'Stripe-Signature': signature, 'Content-Type': 'application/json' },
      body: text,
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

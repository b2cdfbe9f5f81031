import type Stripe from 'stripe';
import { createStripeClient } from '../../server/stripe/client.js';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../server/emulator/index.js';

/** Plain HTTP to the emulator's control API, as tests and sandbox mode drive it. */
export async function control<T = Record<string, unknown>>(emulator: Emulator, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${emulator.controlUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as T & { error?: { message: string } };
  if (!res.ok) throw new Error(`control ${method} ${path}: ${json.error?.message ?? res.status}`);
  return json;
}

export interface DemoAccount {
  id: string;
  keys: { test: string; live: string };
}

export async function createAccount(emulator: Emulator, input: Record<string, unknown> = {}): Promise<DemoAccount> {
  const { account, keys } = await control<{ account: { id: string }; keys: { test: string; live: string } }>(
    emulator,
    'POST',
    '/accounts',
    input,
  );
  return { id: account.id, keys };
}

/** The real SDK pointed at the emulator; no retries unless asked, so tests see every answer. */
export function stripeAt(emulator: Emulator, key: string, options: { stripeAccount?: string; maxNetworkRetries?: number } = {}): Stripe {
  return createStripeClient(key, {
    apiBase: emulator.url,
    maxNetworkRetries: options.maxNetworkRetries ?? 0,
    stripeAccount: options.stripeAccount,
  });
}

export async function withEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ seed: 42, ...options });
}

interface Overview {
  accounts: { id: string; platform: boolean; keys: { key: string; kind: string; mode: string }[] }[];
  app: { clientIds: { test: string; live: string; sandbox: string }; redirectUris: string[] };
  sandbox_platform: string;
}

export async function overview(emulator: Emulator): Promise<Overview> {
  return control<Overview>(emulator, 'GET', '/');
}

/** POST /v1/oauth/token with HTTP Basic auth of `key`, as the product's token client sends it. */
export async function oauthToken(emulator: Emulator, key: string, form: Record<string, string>) {
  const res = await fetch(`${emulator.url}/v1/oauth/token`, {
    method: 'POST',
    headers: { Authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

/** The app's platform key of a mode, or (`sandbox`) its managed sandbox's. */
export async function platformKey(emulator: Emulator, mode: 'test' | 'live' | 'sandbox' = 'test'): Promise<string> {
  const view = await overview(emulator);
  const platform = mode === 'sandbox' ? view.accounts.find((a) => a.id === view.sandbox_platform)! : view.accounts.find((a) => a.platform)!;
  return platform.keys.find((k) => k.kind === 'platform' && k.mode === (mode === 'sandbox' ? 'test' : mode))!.key;
}

/**
 * Real-world API faults on every Stripe API call (the OAuth token endpoint stays clean): 5% of
 * calls answered 429, 3% 500 and 2% connection resets. Each rule sees only what the ones before
 * it let through, hence the rates.
 */
export async function injectApiFaults(emulator: Emulator): Promise<void> {
  for (const [action, rate] of [
    [429, 0.05],
    [500, 0.03 / 0.95],
    ['reset', 0.02 / 0.92],
  ] as const) {
    await control(emulator, 'POST', '/faults', { path: '^/v1/', action, rate });
  }
}

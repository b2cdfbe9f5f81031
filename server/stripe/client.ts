import Stripe from 'stripe';

export const STRIPE_API_VERSION = '2026-10-28.endive' as const;

export interface StripeClientOptions {
  /** `STRIPE_API_BASE`; undefined means Stripe's own hosts. */
  apiBase?: string;
  /** Acts on this connected account through `Stripe-Account` (platform keys only). */
  stripeAccount?: string;
  maxNetworkRetries?: number;
  timeoutMs?: number;
}

/**
 * The one place Stripe clients are made: pinned API version, retries, timeout, no telemetry,
 * and the host override that points every base (api, files, connect) at the emulator.
 */
export function createStripeClient(apiKey: string, options: StripeClientOptions = {}): Stripe {
  const config: Stripe.StripeConfig = {
    apiVersion: STRIPE_API_VERSION,
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
    timeout: options.timeoutMs ?? 30_000,
    telemetry: false,
    appInfo: { name: 'payments-intelligence-stripe' },
  };
  if (options.stripeAccount) config.stripeAccount = options.stripeAccount;
  if (options.apiBase) {
    const url = new URL(options.apiBase);
    config.host = url.hostname;
    config.protocol = url.protocol === 'http:' ? 'http' : 'https';
    config.port = Number(url.port || (url.protocol === 'http:' ? 80 : 443));
  }
  return new Stripe(apiKey, config);
}

/** Verifies Stripe signatures (webhooks, app requests); it never sends a request. */
export const signatureVerifier = new Stripe('sk_unused_for_signature_checks');

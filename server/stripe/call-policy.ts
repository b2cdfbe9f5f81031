import Stripe from 'stripe';
import type { AccountRateLimiter, Lane } from './rate-limiter.js';

const MAX_BACKOFF_MS = 30_000;

/** 5xx, 409, resets and timeouts: worth retrying. 400/401/403/404 are not. */
export function isTransient(err: unknown): boolean {
  if (err instanceof Stripe.errors.StripeRateLimitError) return true;
  if (err instanceof Stripe.errors.StripeConnectionError) return true;
  if (err instanceof Stripe.errors.StripeAPIError) return true;
  if (err instanceof Stripe.errors.StripeError) return (err.statusCode ?? 0) >= 500 || err.statusCode === 409;
  return false;
}

export function backoffMs(attempt: number, baseMs = 250): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

export interface CallOptions {
  signal?: AbortSignal;
  maxAttempts?: number;
  /** Called before each retry: for counters and logs. */
  onRetry?: (err: unknown, attempt: number) => void;
  /**
   * Called once on a 401: renews the credentials (OAuth) and the call is retried, or records that
   * the credentials are dead and throws, so a refused key never fails silently.
   */
  refreshAuth?: () => Promise<void>;
  /** First backoff step (doubling per attempt, jittered); tests shorten it. */
  backoffBaseMs?: number;
  /** `background`: work that may wait, held to a share of the account's budget (verification). */
  lane?: Lane;
  /** Called before each attempt is sent (request counters). */
  onAttempt?: () => void;
}

/**
 * One Stripe call under the account's rate limiter: a token before every attempt, backoff with
 * jitter on 429 (closing the bucket `Stripe-Rate-Limited-Reason` names; the SDK does not retry
 * a plain 429) and on transient failures; permanent errors are thrown at once.
 */
export async function limitedCall<T>(limiter: AccountRateLimiter, endpoint: string, fn: () => Promise<T>, options: CallOptions = {}): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 8;
  let renewed = false;
  for (let attempt = 0; ; attempt++) {
    await limiter.acquire(endpoint, options.signal, options.lane);
    options.onAttempt?.();
    try {
      return await fn();
    } catch (err) {
      if (err instanceof Stripe.errors.StripeAuthenticationError && options.refreshAuth && !renewed && attempt + 1 < maxAttempts) {
        renewed = true;
        await options.refreshAuth();
        continue;
      }
      if (!isTransient(err) || attempt + 1 >= maxAttempts) throw err;
      options.onRetry?.(err, attempt);
      const base = options.backoffBaseMs ?? 250;
      const wait = backoffMs(attempt, err instanceof Stripe.errors.StripeRateLimitError ? base * 2 : base);
      if (err instanceof Stripe.errors.StripeRateLimitError) {
        limiter.pause(err.headers?.['stripe-rate-limited-reason'] as string | undefined, endpoint, wait);
      } else {
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }
}

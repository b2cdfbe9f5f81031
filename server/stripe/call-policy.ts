import Stripe from 'stripe';
import { gateOf, isConcurrencyReason } from './concurrency-gate.js';
import type { AccountRateLimiter, Lane } from './rate-limiter.js';

const MAX_BACKOFF_MS = 30_000;

/** 5xx, 409, resets and timeouts: worth retrying. 400/401/403/404 are not. */
function isTransient(err: unknown): boolean {
  if (err instanceof Stripe.errors.StripeRateLimitError) return true;
  if (err instanceof Stripe.errors.StripeConnectionError) return true;
  if (err instanceof Stripe.errors.StripeAPIError) return true;
  if (err instanceof Stripe.errors.StripeError) return (err.statusCode ?? 0) >= 500 || err.statusCode === 409;
  return false;
}

function backoffMs(attempt: number, baseMs = 250): number {
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
 * One Stripe call under the account's rate limiter: a place in its concurrency gate and a token
 * before every attempt, backoff with jitter on 429 (a rate 429 closes the bucket
 * `Stripe-Rate-Limited-Reason` names, a concurrency 429 narrows the gate; the SDK does not retry
 * a plain 429) and on transient failures; permanent errors are thrown at once.
 */
export async function limitedCall<T>(
  limiter: AccountRateLimiter,
  endpoint: string,
  fn: () => Promise<T>,
  options: CallOptions = {},
): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 8;
  const gate = gateOf(limiter);
  let renewed = false;
  for (let attempt = 0; ; attempt++) {
    let failure: { err: unknown } | undefined;
    let sent = false;
    await gate.enter(options.signal);
    try {
      await limiter.acquire(endpoint, options.signal, options.lane);
      gate.sent();
      sent = true;
      options.onAttempt?.();
      return await fn();
    } catch (err) {
      failure = { err };
    } finally {
      const reason =
        failure && failure.err instanceof Stripe.errors.StripeRateLimitError
          ? failure.err.headers?.['stripe-rate-limited-reason']
          : undefined;
      if (isConcurrencyReason(reason)) gate.shrink();
      gate.leave(sent && !isConcurrencyReason(reason), sent);
    }
    const { err } = failure;
    if (err instanceof Stripe.errors.StripeAuthenticationError && options.refreshAuth && !renewed && attempt + 1 < maxAttempts) {
      renewed = true;
      await options.refreshAuth();
      continue;
    }
    if (!isTransient(err) || attempt + 1 >= maxAttempts) throw err;
    options.onRetry?.(err, attempt);
    const base = options.backoffBaseMs ?? 250;
    const wait = backoffMs(attempt, err instanceof Stripe.errors.StripeRateLimitError ? base * 2 : base);
    const reason =
      err instanceof Stripe.errors.StripeRateLimitError ? (err.headers?.['stripe-rate-limited-reason'] as string | undefined) : undefined;
    if (err instanceof Stripe.errors.StripeRateLimitError && !isConcurrencyReason(reason)) {
      limiter.pause(reason, endpoint, wait);
    } else {
      // Too many at once is not too many per second: the gate now lets fewer through, and this
      // call waits its turn like any transient failure, without closing the rate buckets.
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

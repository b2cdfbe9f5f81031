import type { Mode } from '../config.js';

export interface RateLimits {
  /** Requests per second for the whole account. */
  global: number;
  /** Requests per second for one endpoint (a resource's list and retrieve). */
  endpoint: number;
}

/** Stripe's published limits (reference/stripe-facts.md). */
export const STRIPE_LIMITS: Record<Mode, RateLimits> = {
  live: { global: 100, endpoint: 25 },
  test: { global: 25, endpoint: 25 },
};

/** By default we use this share of Stripe's limits, leaving room for the merchant's own calls. */
export const DEFAULT_LIMIT_FRACTION = 0.9;

class Bucket {
  private tokens: number;
  private last = Date.now();
  /** Until when the bucket is closed after a 429 (epoch ms). */
  pausedUntil = 0;

  constructor(private readonly rate: number, private readonly capacity: number) {
    this.tokens = capacity;
  }

  /** Milliseconds until a token is available (0 = take it now). */
  wait(now: number): number {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (now < this.pausedUntil) return this.pausedUntil - now;
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.rate) * 1000);
  }

  take(): void {
    this.tokens -= 1;
  }
}

/**
 * Paces requests of one account and mode: a token bucket for the account and one per endpoint,
 * each refilling at its rate with only the headroom below Stripe's limit as burst, so that no
 * one-second window exceeds Stripe's limit. After a 429 the bucket it names is closed for a while.
 */
export class AccountRateLimiter {
  private readonly global: Bucket;
  private readonly endpoints = new Map<string, Bucket>();
  private readonly endpointRate: number;

  private readonly endpointBurst: number;

  constructor(limits: RateLimits, fraction = DEFAULT_LIMIT_FRACTION) {
    const rate = (n: number) => Math.max(1, n * fraction);
    // Burst room is the headroom below Stripe's limit, so rate + burst never exceeds it in a second.
    const burst = (n: number) => Math.max(1, Math.floor(n - rate(n)));
    this.global = new Bucket(rate(limits.global), burst(limits.global));
    this.endpointRate = rate(limits.endpoint);
    this.endpointBurst = burst(limits.endpoint);
  }

  private bucket(endpoint: string): Bucket {
    let b = this.endpoints.get(endpoint);
    if (!b) this.endpoints.set(endpoint, (b = new Bucket(this.endpointRate, this.endpointBurst)));
    return b;
  }

  async acquire(endpoint: string, signal?: AbortSignal): Promise<void> {
    const e = this.bucket(endpoint);
    for (;;) {
      signal?.throwIfAborted();
      const now = Date.now();
      const wait = Math.max(this.global.wait(now), e.wait(now));
      if (wait === 0) {
        this.global.take();
        e.take();
        return;
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  /** Stripe said 429: close the bucket its reason names for `ms`. */
  pause(reason: string | undefined, endpoint: string, ms: number): void {
    const until = Date.now() + ms;
    const target = reason?.startsWith('endpoint') ? this.bucket(endpoint) : this.global;
    target.pausedUntil = Math.max(target.pausedUntil, until);
  }
}

/** One limiter per account and mode, shared by everything in this process that calls Stripe. */
export class RateLimiters {
  private readonly limiters = new Map<string, AccountRateLimiter>();

  constructor(private readonly limits: Record<Mode, RateLimits> = STRIPE_LIMITS, private readonly fraction = DEFAULT_LIMIT_FRACTION) {}

  for(accountId: string, mode: Mode): AccountRateLimiter {
    const key = `${accountId}:${mode}`;
    let limiter = this.limiters.get(key);
    if (!limiter) this.limiters.set(key, (limiter = new AccountRateLimiter(this.limits[mode], this.fraction)));
    return limiter;
  }
}

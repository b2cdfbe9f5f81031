import { modeOf, type Mode } from '../config.js';
import { RecentUse } from './recent-use.js';

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

/** Work that may wait (verification after the import): it gets at most this share of the account's
 *  budget, so live sync and everything else keep the rest. */
export const BACKGROUND_SHARE = 0.3;

/** `background` calls also take a token from a bucket refilled at BACKGROUND_SHARE of the account rate. */
export type Lane = 'foreground' | 'background';

/** Paces one account's (and mode's) Stripe calls; see MemoryRateLimiter and SharedRateLimiter. */
export interface AccountRateLimiter {
  acquire(endpoint: string, signal?: AbortSignal, lane?: Lane): Promise<void>;
  /** Stripe said 429: close the bucket its reason names for `ms`. */
  pause(reason: string | undefined, endpoint: string, ms: number): void;
  /**
   * Whether the budget calls to `endpoint` draw on (the account's or the endpoint's) is in full use:
   * then more parallel work gains nothing and only costs requests (a backfill splits only while not).
   */
  busy(endpoint: string): boolean;
}

/** Per-second rate and burst room of a bucket: burst is the headroom below Stripe's limit, so
 *  rate + burst never exceeds it within a second. */
export function bucketSpec(limit: number, fraction: number): { rate: number; burst: number } {
  const rate = Math.max(1, limit * fraction);
  return { rate, burst: Math.max(1, Math.floor(limit - rate)) };
}

class Bucket {
  private tokens: number;
  private last = Date.now();
  /** Until when the bucket is closed after a 429 (epoch ms). */
  pausedUntil = 0;
  readonly use = new RecentUse();

  constructor(
    readonly rate: number,
    private readonly capacity: number,
  ) {
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
export class MemoryRateLimiter implements AccountRateLimiter {
  private readonly global: Bucket;
  private readonly background: Bucket;
  private readonly endpoints = new Map<string, Bucket>();
  private readonly endpointRate: number;

  private readonly endpointBurst: number;

  constructor(limits: RateLimits, fraction = DEFAULT_LIMIT_FRACTION) {
    const global = bucketSpec(limits.global, fraction);
    const endpoint = bucketSpec(limits.endpoint, fraction);
    this.global = new Bucket(global.rate, global.burst);
    this.background = new Bucket(global.rate * BACKGROUND_SHARE, 1);
    this.endpointRate = endpoint.rate;
    this.endpointBurst = endpoint.burst;
  }

  private bucket(endpoint: string): Bucket {
    let b = this.endpoints.get(endpoint);
    if (!b) this.endpoints.set(endpoint, (b = new Bucket(this.endpointRate, this.endpointBurst)));
    return b;
  }

  async acquire(endpoint: string, signal?: AbortSignal, lane: Lane = 'foreground'): Promise<void> {
    const buckets = lane === 'background' ? [this.global, this.bucket(endpoint), this.background] : [this.global, this.bucket(endpoint)];
    const waited = new Set<Bucket>();
    for (;;) {
      signal?.throwIfAborted();
      const now = Date.now();
      const waits = buckets.map((b) => b.wait(now));
      const wait = Math.max(...waits);
      if (wait === 0) {
        for (const b of buckets) {
          b.take();
          b.use.record(waited.has(b), now);
        }
        return;
      }
      // Only what holds the call back has made it wait: a background call held by its own share
      // says nothing about the account's budget.
      buckets.forEach((b, i) => waits[i] === wait && waited.add(b));
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  busy(endpoint: string): boolean {
    const e = this.bucket(endpoint);
    return this.global.use.full(this.global.rate) || e.use.full(e.rate);
  }

  pause(reason: string | undefined, endpoint: string, ms: number): void {
    const until = Date.now() + ms;
    const target = reason?.startsWith('endpoint') ? this.bucket(endpoint) : this.global;
    target.pausedUntil = Math.max(target.pausedUntil, until);
  }
}

export type LimiterFactory = (key: string, limits: RateLimits, fraction: number) => AccountRateLimiter;

/**
 * One limiter per account and mode, shared by everything in this process that calls Stripe. In
 * memory by default; with several worker processes the factory makes database-backed ones.
 */
export class RateLimiters {
  private readonly limiters = new Map<string, AccountRateLimiter>();

  constructor(
    private readonly limits: Record<Mode, RateLimits> = STRIPE_LIMITS,
    private readonly fraction = DEFAULT_LIMIT_FRACTION,
    private readonly factory: LimiterFactory = (_key, l, f) => new MemoryRateLimiter(l, f),
  ) {}

  /** The limiter of a connection's account in its mode (Stripe limits each mode separately). */
  forConnection(connection: { accountId: string; livemode: boolean }): AccountRateLimiter {
    return this.for(connection.accountId, modeOf(connection.livemode));
  }

  for(accountId: string, mode: Mode): AccountRateLimiter {
    const key = `${accountId}:${mode}`;
    let limiter = this.limiters.get(key);
    if (!limiter) this.limiters.set(key, (limiter = this.factory(key, this.limits[mode], this.fraction)));
    return limiter;
  }
}

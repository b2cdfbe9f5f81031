import type { Db } from '../db/database.js';
import { readNumber } from '../db/rows.js';
import { RecentUse } from './recent-use.js';
import { BACKGROUND_SHARE, bucketSpec, type AccountRateLimiter, type Lane, type RateLimits } from './rate-limiter.js';

type Spec = { rate: number; burst: number };

/**
 * The per-account budget shared by every process (pg-boss workers and the API): the same token
 * buckets as MemoryRateLimiter, kept in `rate_limit_buckets` and taken under row locks, so three
 * workers calling one account together stay inside what that account allows.
 */
export class SharedRateLimiter implements AccountRateLimiter {
  private readonly global: Spec;
  private readonly endpoint: Spec;
  private readonly background: Spec;
  private readonly known = new Set<string>();
  /** This process's grants per bucket (`*` the account's): the part of the use it can see. */
  private readonly use = new Map<string, RecentUse>();

  constructor(
    private readonly db: Db,
    private readonly key: string,
    limits: RateLimits,
    fraction: number,
  ) {
    // No burst: requests from several processes reach Stripe with uneven delays after taking their
    // token, and the headroom below Stripe's limit is kept for that jitter instead.
    const steady = (limit: number) => ({ ...bucketSpec(limit, fraction), burst: 1 });
    this.global = steady(limits.global);
    this.endpoint = steady(limits.endpoint);
    this.background = { rate: this.global.rate * BACKGROUND_SHARE, burst: 1 };
  }

  /**
   * Calls of this process queue per endpoint, so at most one per endpoint waits on the database
   * at a time (dozens of importers polling one row would spend the budget on lock traffic
   * instead), and a call waiting for a busy endpoint's budget never holds back a call to another
   * (one queue for all had live sync's balance-transaction fetches stall the import's listing).
   */
  private readonly queues = new Map<string, Promise<unknown>>();

  acquire(endpoint: string, signal?: AbortSignal, lane: Lane = 'foreground'): Promise<void> {
    // Background calls queue apart, so that one held by its share never holds back a foreground call.
    const queue = lane === 'background' ? `${endpoint}\u0000background` : endpoint;
    const turn = (this.queues.get(queue) ?? Promise.resolve()).then(() => this.take(endpoint, signal, lane));
    this.queues.set(
      queue,
      turn.catch(() => undefined),
    );
    return turn;
  }

  /** Full when this process alone uses the budget up, or its calls mostly had to wait for tokens
   *  (the only way other processes' use shows). */
  busy(endpoint: string): boolean {
    return this.useOf('*').full(this.global.rate) || this.useOf(endpoint).full(this.endpoint.rate);
  }

  private useOf(key: string): RecentUse {
    let use = this.use.get(key);
    if (!use) this.use.set(key, (use = new RecentUse()));
    return use;
  }

  private async take(endpoint: string, signal: AbortSignal | undefined, lane: Lane): Promise<void> {
    const buckets: [string, Spec][] = [
      [`${this.key}:*`, this.global],
      [`${this.key}:${endpoint}`, this.endpoint],
    ];
    if (lane === 'background') buckets.push([`${this.key}:~background`, this.background]);
    for (const [bucket, spec] of buckets) {
      if (this.known.has(bucket)) continue;
      await this.db('rate_limit_buckets')
        .insert({ bucket_key: bucket, tokens: spec.burst, updated_at: Date.now(), paused_until: 0 })
        .onConflict('bucket_key')
        .ignore();
      this.known.add(bucket);
    }
    // Which of the account's and the endpoint's buckets have held this call back (for `busy`).
    const waited = new Set<string>();
    for (;;) {
      signal?.throwIfAborted();
      const wait = await this.db.transaction(async (trx) => {
        const now = Date.now();
        const rows = await trx('rate_limit_buckets')
          .whereIn(
            'bucket_key',
            buckets.map(([b]) => b),
          )
          .orderBy('bucket_key')
          .forUpdate();
        const state = buckets.map(([bucket, spec]) => {
          const row = rows.find((r: Record<string, unknown>) => r.bucket_key === bucket)!;
          const tokens = Math.min(spec.burst, readNumber(row.tokens) + ((now - readNumber(row.updated_at)) / 1000) * spec.rate);
          const paused = readNumber(row.paused_until) - now;
          return { bucket, tokens, wait: paused > 0 ? paused : tokens >= 1 ? 0 : Math.ceil(((1 - tokens) / spec.rate) * 1000) };
        });
        const longest = Math.max(...state.map((s) => s.wait));
        // Refill is a pure function of the stored tokens and time: only a taken token is written.
        if (longest === 0)
          for (const s of state)
            await trx('rate_limit_buckets')
              .where({ bucket_key: s.bucket })
              .update({ tokens: s.tokens - 1, updated_at: now });
        // Only what held the call back made it wait: a background call held by its own share says
        // nothing about the account's budget.
        else state.slice(0, 2).forEach((s, i) => s.wait === longest && waited.add(i === 0 ? '*' : endpoint));
        return longest;
      });
      if (wait === 0) {
        for (const key of ['*', endpoint]) this.useOf(key).record(waited.has(key));
        return;
      }
      // A little jitter, so processes waiting on one account do not all wake in the same instant.
      await new Promise((r) => setTimeout(r, wait + Math.floor(Math.random() * 10)));
    }
  }

  pause(reason: string | undefined, endpoint: string, ms: number): void {
    const bucket = reason?.startsWith('endpoint') ? `${this.key}:${endpoint}` : `${this.key}:*`;
    const until = Date.now() + ms;
    void this.db('rate_limit_buckets')
      .where({ bucket_key: bucket })
      .where('paused_until', '<', until)
      .update({ paused_until: until })
      .catch(() => undefined);
  }
}

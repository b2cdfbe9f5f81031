import type { Db } from '../db/database.js';
import { readNumber } from '../db/rows.js';
import { bucketSpec, type AccountRateLimiter, type RateLimits } from './rate-limiter.js';

type Spec = { rate: number; burst: number };

/**
 * The per-account budget shared by every process (pg-boss workers and the API): the same token
 * buckets as MemoryRateLimiter, kept in `rate_limit_buckets` and taken under row locks, so three
 * workers calling one account together stay inside what that account allows.
 */
export class SharedRateLimiter implements AccountRateLimiter {
  private readonly global: Spec;
  private readonly endpoint: Spec;
  private readonly known = new Set<string>();

  constructor(private readonly db: Db, private readonly key: string, limits: RateLimits, fraction: number) {
    // No burst: requests from several processes reach Stripe with uneven delays after taking their
    // token, and the headroom below Stripe's limit is kept for that jitter instead.
    const steady = (limit: number) => ({ ...bucketSpec(limit, fraction), burst: 1 });
    this.global = steady(limits.global);
    this.endpoint = steady(limits.endpoint);
  }

  /**
   * Calls of this process queue per endpoint, so at most one per endpoint waits on the database
   * at a time (dozens of importers polling one row would spend the budget on lock traffic
   * instead), and a call waiting for a busy endpoint's budget never holds back a call to another
   * (one queue for all had live sync's balance-transaction fetches stall the import's listing).
   */
  private readonly queues = new Map<string, Promise<unknown>>();

  acquire(endpoint: string, signal?: AbortSignal): Promise<void> {
    const turn = (this.queues.get(endpoint) ?? Promise.resolve()).then(() => this.take(endpoint, signal));
    this.queues.set(endpoint, turn.catch(() => undefined));
    return turn;
  }

  private async take(endpoint: string, signal?: AbortSignal): Promise<void> {
    const buckets: [string, Spec][] = [[`${this.key}:*`, this.global], [`${this.key}:${endpoint}`, this.endpoint]];
    for (const [bucket, spec] of buckets) {
      if (this.known.has(bucket)) continue;
      await this.db('rate_limit_buckets').insert({ bucket_key: bucket, tokens: spec.burst, updated_at: Date.now(), paused_until: 0 }).onConflict('bucket_key').ignore();
      this.known.add(bucket);
    }
    for (;;) {
      signal?.throwIfAborted();
      const wait = await this.db.transaction(async (trx) => {
        const now = Date.now();
        const rows = await trx('rate_limit_buckets').whereIn('bucket_key', buckets.map(([b]) => b)).orderBy('bucket_key').forUpdate();
        const state = buckets.map(([bucket, spec]) => {
          const row = rows.find((r: Record<string, unknown>) => r.bucket_key === bucket)!;
          const tokens = Math.min(spec.burst, readNumber(row.tokens) + ((now - readNumber(row.updated_at)) / 1000) * spec.rate);
          const paused = readNumber(row.paused_until) - now;
          return { bucket, tokens, wait: paused > 0 ? paused : tokens >= 1 ? 0 : Math.ceil(((1 - tokens) / spec.rate) * 1000) };
        });
        const longest = Math.max(...state.map((s) => s.wait));
        // Refill is a pure function of the stored tokens and time: only a taken token is written.
        if (longest === 0) for (const s of state) await trx('rate_limit_buckets').where({ bucket_key: s.bucket }).update({ tokens: s.tokens - 1, updated_at: now });
        return longest;
      });
      if (wait === 0) return;
      // A little jitter, so processes waiting on one account do not all wake in the same instant.
      await new Promise((r) => setTimeout(r, wait + Math.floor(Math.random() * 10)));
    }
  }

  pause(reason: string | undefined, endpoint: string, ms: number): void {
    const bucket = reason?.startsWith('endpoint') ? `${this.key}:${endpoint}` : `${this.key}:*`;
    const until = Date.now() + ms;
    void this.db('rate_limit_buckets').where({ bucket_key: bucket }).where('paused_until', '<', until).update({ paused_until: until }).catch(() => undefined);
  }
}

import type { Db } from '../db/database.js';

/**
 * Leases in the database that keep one job per family and key running across processes. The
 * holder (one job execution) renews its lease while it works; a killed holder's lease lapses and
 * the next taker wins. Not a queue: pg-boss queues and retries, this only says "someone is on it".
 */
export class JobLocks {
  constructor(private readonly db: Db) {}

  /** True when `holder` now owns the lock until `now + leaseMs`. */
  async acquire(key: string, holder: string, leaseMs: number, now = Date.now()): Promise<boolean> {
    const expires = now + leaseMs;
    await this.db('job_locks').insert({ lock_key: key, holder, expires_at: expires }).onConflict('lock_key').ignore();
    // Ours if the insert above was ours, or if the previous holder's lease has lapsed.
    const taken = await this.db('job_locks')
      .where('lock_key', key)
      .where((w) => w.where({ holder, expires_at: expires }).orWhere('expires_at', '<', now))
      .update({ holder, expires_at: expires });
    return taken === 1;
  }

  async renew(key: string, holder: string, leaseMs: number): Promise<boolean> {
    return (
      (await this.db('job_locks')
        .where({ lock_key: key, holder })
        .update({ expires_at: Date.now() + leaseMs })) === 1
    );
  }

  /** Keys starting with `prefix` whose lease has not lapsed at `now`. */
  async heldKeys(prefix: string, now = Date.now()): Promise<string[]> {
    return this.db('job_locks').where('lock_key', 'like', `${prefix}%`).where('expires_at', '>=', now).pluck('lock_key');
  }

  async release(key: string, holder: string): Promise<void> {
    await this.db('job_locks').where({ lock_key: key, holder }).delete();
  }
}

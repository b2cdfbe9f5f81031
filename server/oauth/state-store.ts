import { createHash, randomBytes } from 'node:crypto';
import type { Environment } from '../config.js';
import type { Db } from '../db/database.js';

const STATE_TTL_MS = 10 * 60 * 1000;

const hash = (state: string) => createHash('sha256').update(state).digest('hex');

export type StateCheck = { ok: true; mode: Environment } | { ok: false; reason: 'unknown' | 'used' | 'expired' };

/**
 * OAuth `state` values: random, stored only as a hash with their mode, valid ten minutes,
 * consumed exactly once (the consuming UPDATE is the check, so two callbacks racing with one
 * state cannot both pass).
 */
export class OAuthStateStore {
  constructor(private readonly db: Db) {}

  async issue(mode: Environment): Promise<string> {
    const state = randomBytes(32).toString('base64url');
    const now = Date.now();
    await this.db('oauth_states').insert({ state_hash: hash(state), mode, created_at: now, expires_at: now + STATE_TTL_MS });
    // Old states are useless; dropping them here keeps the table small without a job.
    await this.db('oauth_states')
      .where('expires_at', '<', now - STATE_TTL_MS)
      .delete();
    return state;
  }

  /** Checks a state without consuming it: the callback learns which mode's strategy is to consume it. */
  async check(state: string): Promise<StateCheck> {
    const row = await this.db('oauth_states')
      .where({ state_hash: hash(state) })
      .first();
    return this.judge(row);
  }

  async consume(state: string): Promise<StateCheck> {
    const now = Date.now();
    const updated = await this.db('oauth_states')
      .where({ state_hash: hash(state) })
      .whereNull('used_at')
      .where('expires_at', '>', now)
      .update({ used_at: now });
    if (updated === 1) {
      const row = await this.db('oauth_states')
        .where({ state_hash: hash(state) })
        .first();
      return { ok: true, mode: row.mode as Environment };
    }
    return this.judge(
      await this.db('oauth_states')
        .where({ state_hash: hash(state) })
        .first(),
    );
  }

  private judge(row: Record<string, unknown> | undefined): StateCheck {
    if (!row) return { ok: false, reason: 'unknown' };
    if (row.used_at !== null && row.used_at !== undefined) return { ok: false, reason: 'used' };
    if (Number(row.expires_at) <= Date.now()) return { ok: false, reason: 'expired' };
    return { ok: true, mode: row.mode as Environment };
  }
}

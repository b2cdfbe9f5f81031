import type { Db } from '../db/database.js';
import { ACTIVE_STATES } from '../../shared/connection-states.js';

/**
 * `event_watermarks`, one row per connection: how far its events were read, when to poll next,
 * and whether polls are failing. Every write to the table is here.
 */
export type WatermarkRow = Record<string, unknown>;

export async function watermarkOf(db: Db, connectionId: string): Promise<WatermarkRow | undefined> {
  return db('event_watermarks').where({ connection_id: connectionId }).first();
}

/** Writes the row's fields, creating it (from `initial`) when the connection has none yet. */
export async function saveWatermark(
  db: Db,
  connectionId: string,
  fields: Record<string, unknown>,
  initial: Record<string, unknown> = {},
): Promise<void> {
  await db('event_watermarks')
    .insert({ connection_id: connectionId, ...initial, ...fields })
    .onConflict('connection_id')
    .merge(fields);
}

/** A claimed poll that never ran (its job lost) is due again after this long. */
const CLAIM_MS = 60_000;

/**
 * Claims up to `limit` connections whose poll is due, oldest first. The claim moves `next_poll_at`
 * forward in one statement that only takes rows still due, so schedulers in several processes never
 * claim the same poll twice. Connections never polled have no row: they are returned unclaimed (a
 * waiting job under the same key absorbs a second one).
 */
export async function claimDuePolls(db: Db, now: number, limit: number): Promise<string[]> {
  const due = await db({ c: 'connections' })
    .leftJoin({ w: 'event_watermarks' }, 'w.connection_id', 'c.id')
    .whereIn('c.state', ACTIVE_STATES as string[])
    .where((w) => w.whereNull('w.next_poll_at').orWhere('w.next_poll_at', '<=', now))
    .orderByRaw('w.next_poll_at asc nulls first')
    .limit(limit)
    .select('c.id', { next: 'w.next_poll_at' });
  const scheduled = due
    .filter((r: Record<string, unknown>) => r.next !== null && r.next !== undefined)
    .map((r: Record<string, unknown>) => String(r.id));
  const claimed: { connection_id: string }[] = scheduled.length
    ? await db('event_watermarks')
        .whereIn('connection_id', scheduled)
        .where('next_poll_at', '<=', now)
        .update({ next_poll_at: now + CLAIM_MS }, ['connection_id'])
    : [];
  const fresh = due
    .filter((r: Record<string, unknown>) => r.next === null || r.next === undefined)
    .map((r: Record<string, unknown>) => String(r.id));
  return [...claimed.map((r) => String(r.connection_id)), ...fresh];
}

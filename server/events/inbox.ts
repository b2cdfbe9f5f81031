import type Stripe from 'stripe';
import type { Db } from '../db/database.js';
import { readJson, readNumber } from '../db/rows.js';
import { storedError } from '../logging/redact.js';

/** The event inbox (written by `inbox-writer.ts`): one row per (account, event id), whatever the source. */
export type EventSource = 'poll' | 'app_webhook' | 'merchant_webhook';

export interface InboxEvent {
  id: number;
  accountId: string;
  event: Stripe.Event;
}

/** Pending events of an account, oldest `created` first (the order Stripe does not promise). */
/** Oldest pending events of an account, leaving out `skip` (events that already failed this round). */
export async function pendingEvents(db: Db, accountId: string, limit = 200, skip: number[] = []): Promise<InboxEvent[]> {
  const query = db('event_inbox').where({ account_id: accountId, status: 'pending' });
  if (skip.length) query.whereNotIn('id', skip);
  const rows = await query.orderBy('created').orderBy('id').limit(limit);
  return rows.map((r: Record<string, unknown>) => ({ id: readNumber(r.id), accountId: String(r.account_id), event: readJson<Stripe.Event>(r.payload) }));
}

export async function markEvent(db: Db, id: number, status: 'processed' | 'ignored' | 'failed', error?: string): Promise<void> {
  await markEvents(db, [id], status, error);
}

/** Marks many events at once: one statement per batch and outcome instead of one per event. */
export async function markEvents(db: Db, ids: number[], status: 'processed' | 'ignored' | 'failed', error?: string): Promise<void> {
  if (!ids.length) return;
  await db('event_inbox').whereIn('id', ids).update({
    status, processed_at: Date.now(), last_error: error === undefined ? null : storedError(error), attempts: db.raw('attempts + 1'),
  });
}

export async function accountsWithPending(db: Db): Promise<string[]> {
  return (await db('event_inbox').where({ status: 'pending' }).distinct('account_id')).map((r: { account_id: string }) => r.account_id);
}

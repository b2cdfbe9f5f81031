import type Stripe from 'stripe';
import type { Db } from '../db/database.js';
import { readJson, readNumber } from '../db/rows.js';

export type EventSource = 'poll' | 'app_webhook' | 'merchant_webhook';

export interface InboxEvent {
  id: number;
  accountId: string;
  event: Stripe.Event;
}

/**
 * The event inbox: every event from every source is stored once, keyed by (account, event id),
 * before anything acts on it. A second delivery only counts itself.
 */
export async function storeEvent(db: Db, accountId: string, event: Stripe.Event, source: EventSource): Promise<{ duplicate: boolean }> {
  const inserted = await db('event_inbox').insert({
    account_id: accountId, event_id: event.id, type: event.type, livemode: event.livemode, created: event.created,
    api_version: event.api_version ?? null, source, payload: JSON.stringify(event), received_at: Date.now(),
  }).onConflict(['account_id', 'event_id']).ignore().returning('id');
  if (inserted.length) return { duplicate: false };
  await db('event_inbox').where({ account_id: accountId, event_id: event.id }).increment('deliveries', 1);
  return { duplicate: true };
}

/** Pending events of an account, oldest `created` first (the order Stripe does not promise). */
export async function pendingEvents(db: Db, accountId: string, limit = 200): Promise<InboxEvent[]> {
  const rows = await db('event_inbox').where({ account_id: accountId, status: 'pending' }).orderBy('created').orderBy('id').limit(limit);
  return rows.map((r: Record<string, unknown>) => ({ id: readNumber(r.id), accountId: String(r.account_id), event: readJson<Stripe.Event>(r.payload) }));
}

export async function markEvent(db: Db, id: number, status: 'processed' | 'ignored' | 'failed', error?: string): Promise<void> {
  await db('event_inbox').where({ id }).update({
    status, processed_at: Date.now(), last_error: error ?? null, attempts: db.raw('attempts + 1'),
  });
}

export async function accountsWithPending(db: Db): Promise<string[]> {
  return (await db('event_inbox').where({ status: 'pending' }).distinct('account_id')).map((r: { account_id: string }) => r.account_id);
}

import { createHash } from 'node:crypto';
import type Stripe from 'stripe';
import type { Db } from '../db/database.js';
import { readNumber } from '../db/rows.js';
import { storedError } from '../logging/redact.js';
import { checkEvent, checkEventText } from './event-schema.js';

/** The event inbox (written by `inbox-writer.ts`): one row per (account, event id), whatever the source. */
export type EventSource = 'poll' | 'app_webhook' | 'merchant_webhook';

export interface InboxEvent {
  id: number;
  accountId: string;
  source: EventSource;
  event: Stripe.Event;
}

/**
 * Oldest pending events of an account (by `created`, the order Stripe does not promise), leaving
 * out `skip` (events that already failed this round). A stored row that is not an event (stored
 * before the door checked, or damaged) is marked failed with the reason here and not returned:
 * one bad row never stops the rows after it.
 */
export async function pendingEvents(db: Db, accountId: string, limit = 200, skip: number[] = []): Promise<InboxEvent[]> {
  for (;;) {
    const query = db('event_inbox').where({ account_id: accountId, status: 'pending' });
    if (skip.length) query.whereNotIn('id', skip);
    const rows = await query.orderBy('created').orderBy('id').limit(limit);
    const events: InboxEvent[] = [];
    for (const r of rows as Record<string, unknown>[]) {
      const id = readNumber(r.id);
      // PostgreSQL hands jsonb back parsed; SQLite hands back the text.
      const check = typeof r.payload === 'string' ? checkEventText(r.payload) : checkEvent(r.payload);
      if (check.ok) events.push({ id, accountId: String(r.account_id), source: String(r.source) as EventSource, event: check.event });
      else await markEvent(db, id, 'failed', `not a Stripe event: ${check.reason}`);
    }
    // A batch of nothing but bad rows is not the end: they are marked now, look again.
    if (events.length || rows.length < limit) return events;
  }
}

export async function markEvent(db: Db, id: number, status: 'processed' | 'ignored' | 'failed', error?: string): Promise<void> {
  await markEvents(db, [id], status, error);
}

/** Marks many events at once: one statement per batch and outcome instead of one per event. */
export async function markEvents(db: Db, ids: number[], status: 'processed' | 'ignored' | 'failed', error?: string): Promise<void> {
  if (!ids.length) return;
  await db('event_inbox')
    .whereIn('id', ids)
    .update({
      status,
      processed_at: Date.now(),
      last_error: error === undefined ? null : storedError(error),
      attempts: db.raw('attempts + 1'),
    });
}

/** A failed attempt at applying an event: counted, and after `maxAttempts` the event is failed for good. */
export async function recordFailedAttempt(db: Db, id: number, message: string, maxAttempts: number): Promise<void> {
  const row = await db('event_inbox').where({ id }).first('attempts');
  if (Number(row?.attempts ?? 0) + 1 >= maxAttempts) await markEvent(db, id, 'failed', message);
  else
    await db('event_inbox')
      .where({ id })
      .update({ attempts: db.raw('attempts + 1'), last_error: storedError(message) });
}

/** Which of these event ids the account's inbox holds already. */
export async function storedEventIds(db: Db, accountId: string, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  return new Set(await db('event_inbox').where({ account_id: accountId }).whereIn('event_id', ids).pluck('event_id'));
}

export async function accountsWithPending(db: Db): Promise<string[]> {
  return (await db('event_inbox').where({ status: 'pending' }).distinct('account_id')).map((r: { account_id: string }) => r.account_id);
}

/**
 * A polled "event" that is not one (event-schema.ts): stored as failed with the reason, under its
 * own id when it has a usable one, else under one derived from its content, so it is counted once
 * however often the poll's overlap reads it. True when it was new.
 */
export async function deadLetterEvent(db: Db, accountId: string, livemode: boolean, value: unknown, reason: string): Promise<boolean> {
  // Kept for whoever looks into it, in a form both databases store: valid JSON, no NUL, bounded.
  const full = (JSON.stringify(value) ?? JSON.stringify(String(value))).replace(/\\u0000/g, '');
  const text = full.length > 64 * 1024 ? JSON.stringify({ truncated: true, bytes: full.length, start: full.slice(0, 1024) }) : full;
  const raw = (value as { id?: unknown; type?: unknown; created?: unknown } | null) ?? {};
  const id =
    typeof raw.id === 'string' && /^evt_[A-Za-z0-9_]{1,250}$/.test(raw.id)
      ? raw.id
      : `evt_invalid_${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
  const inserted = await db('event_inbox')
    .insert({
      account_id: accountId,
      event_id: id,
      type: typeof raw.type === 'string' ? raw.type.slice(0, 100) : 'invalid',
      livemode,
      created: Number.isInteger(raw.created) ? raw.created : 0,
      api_version: null,
      source: 'poll',
      payload: text,
      received_at: Date.now(),
      status: 'failed',
      processed_at: Date.now(),
      last_error: storedError(`not a Stripe event: ${reason}`),
    })
    .onConflict(['account_id', 'event_id'])
    .ignore()
    .returning('id');
  return inserted.length > 0;
}

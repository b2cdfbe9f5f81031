import type Stripe from 'stripe';
import type { Db } from '../db/database.js';
import type { EventSource } from './inbox.js';

interface Pending {
  row: Record<string, unknown>;
  resolve: (r: { duplicate: boolean }) => void;
  reject: (err: unknown) => void;
}

const MAX_BATCH = 200;

/**
 * Group commit for the inbox: events arriving together are written in one INSERT (one commit),
 * and each caller is answered only once that commit is done, so "durable before 2xx" holds while
 * the database does a fraction of the work. Rows that hit the unique key are duplicates: a
 * webhook's raises the delivery count, a poll's costs nothing.
 */
export class InboxWriter {
  private queue: Pending[] = [];
  private flushing = false;

  constructor(private readonly db: Db) {}

  write(accountId: string, event: Stripe.Event, source: EventSource, rawPayload?: string): Promise<{ duplicate: boolean }> {
    return new Promise((resolve, reject) => {
      this.queue.push({
        resolve,
        reject,
        row: {
          account_id: accountId,
          event_id: event.id,
          type: event.type,
          livemode: event.livemode,
          created: event.created,
          api_version: event.api_version ?? null,
          source,
          payload: rawPayload ?? JSON.stringify(event),
          received_at: Date.now(),
        },
      });
      if (!this.flushing) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing || !this.queue.length) return;
    this.flushing = true;
    const batch = this.queue.splice(0, MAX_BATCH);
    try {
      // One batch holds an event at most once; a repeat within it counts as a duplicate.
      const first = new Map<string, Pending>();
      for (const p of batch) {
        const key = `${String(p.row.account_id)}:${String(p.row.event_id)}`;
        if (!first.has(key)) first.set(key, p);
      }
      const inserted = await this.db('event_inbox')
        .insert([...first.values()].map((p) => p.row))
        .onConflict(['account_id', 'event_id'])
        .ignore()
        .returning(['account_id', 'event_id']);
      const fresh = new Set(inserted.map((r: { account_id: string; event_id: string }) => `${r.account_id}:${r.event_id}`));
      const answered = new Set<string>();
      for (const p of batch) {
        const key = `${String(p.row.account_id)}:${String(p.row.event_id)}`;
        const duplicate = !fresh.has(key) || answered.has(key);
        answered.add(key);
        // A poll reading an event again is not a delivery (its overlap re-reads on purpose).
        if (duplicate && p.row.source !== 'poll')
          await this.db('event_inbox').where({ account_id: p.row.account_id, event_id: p.row.event_id }).increment('deliveries', 1);
        p.resolve({ duplicate });
      }
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      this.flushing = false;
      if (this.queue.length) setImmediate(() => void this.flush());
    }
  }
}

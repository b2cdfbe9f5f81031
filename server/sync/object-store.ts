import type { Db } from '../db/database.js';
import type { ResourceModule, Row } from '../resources/resource.js';

export interface SnapshotMeta {
  accountId: string;
  livemode: boolean;
  /** Unix seconds at which Stripe rendered these objects (fetch time, or event `created`). */
  renderedAt: number;
  apiVersion: string | null;
  sourceEventId?: string | null;
}

/**
 * Writes Stripe objects into their resource table, idempotently: keyed by (account_id, id), and
 * an existing row is replaced only by a snapshot at least as new (`stripe_updated_at`), so an
 * older snapshot never overwrites newer state.
 */
export async function upsertObjects(db: Db, resource: ResourceModule, objects: { id: string; created: number }[], meta: SnapshotMeta): Promise<void> {
  if (!objects.length) return;
  const now = Date.now();
  const rows: Row[] = objects.map((o) => ({
    account_id: meta.accountId,
    id: o.id,
    livemode: meta.livemode,
    created: o.created,
    stripe_updated_at: meta.renderedAt,
    source_event_id: meta.sourceEventId ?? null,
    api_version: meta.apiVersion,
    raw: JSON.stringify(o),
    synced_at: now,
    ...resource.toRow(o),
  }));
  const columns = Object.keys(rows[0]!).filter((c) => c !== 'account_id' && c !== 'id');
  await db(resource.table)
    .insert(rows)
    .onConflict(['account_id', 'id'])
    .merge(columns)
    .where(`${resource.table}.stripe_updated_at`, '<=', db.raw('excluded.stripe_updated_at'));
}

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
export async function upsertObjects(
  db: Db,
  resource: ResourceModule,
  objects: { id: string; created: number }[],
  meta: SnapshotMeta,
): Promise<void> {
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

/** Whose objects a query reads: one account in one mode. */
export interface ObjectOwner {
  accountId: string;
  livemode: boolean;
}

const owned = (db: Db, resource: ResourceModule, owner: ObjectOwner) =>
  db(resource.table).where({ account_id: owner.accountId, livemode: owner.livemode });

/** When Stripe rendered the stored copy of an object (unix seconds), or null when none is stored. */
export async function storedRenderedAt(db: Db, resource: ResourceModule, owner: ObjectOwner, id: string): Promise<number | null> {
  const row = await owned(db, resource, owner).where({ id }).first('stripe_updated_at');
  return row ? Number(row.stripe_updated_at) : null;
}

/** Which of these ids are stored. */
export async function storedAmong(db: Db, resource: ResourceModule, owner: ObjectOwner, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await owned(db, resource, owner).whereIn('id', ids).select('id');
  return new Set(rows.map((r: { id: string }) => r.id));
}

/** The `created` of the oldest stored object, or null when none is. */
export async function oldestCreated(db: Db, resource: ResourceModule, owner: ObjectOwner): Promise<number | null> {
  const [row] = await owned(db, resource, owner).min({ oldest: 'created' });
  const value = (row as { oldest: unknown } | undefined)?.oldest;
  return value === null || value === undefined ? null : Number(value);
}

/** Up to `limit` ids created in [gte, lt), oldest first. */
export async function idsCreatedIn(
  db: Db,
  resource: ResourceModule,
  owner: ObjectOwner,
  range: { gte: number; lt: number },
  limit: number,
): Promise<string[]> {
  return owned(db, resource, owner)
    .where('created', '>=', range.gte)
    .where('created', '<', range.lt)
    .orderBy('created')
    .limit(limit)
    .pluck('id');
}

/** Up to `limit` ids stored as rendered in an API version other than `version`, newest first. */
export async function idsInOtherVersion(
  db: Db,
  resource: ResourceModule,
  owner: ObjectOwner,
  version: string,
  limit: number,
): Promise<string[]> {
  return owned(db, resource, owner)
    .whereNotNull('api_version')
    .whereNot('api_version', version)
    .orderBy('created', 'desc')
    .limit(limit)
    .pluck('id');
}

/** The stored copy is kept as it is: it is no longer marked for fetching again in our version. */
export async function keepRendering(db: Db, resource: ResourceModule, owner: ObjectOwner, id: string): Promise<void> {
  await owned(db, resource, owner).where({ id }).update({ api_version: null });
}

/** Marks balance transactions (stored in `resource`'s table) as settled by a payout. */
export async function markSettled(db: Db, resource: ResourceModule, owner: ObjectOwner, ids: string[], payoutId: string): Promise<void> {
  if (ids.length) await owned(db, resource, owner).whereIn('id', ids).update({ payout: payoutId });
}

/** Gross, fee and net (minor units) of balance transactions created in [gte, lt), per currency and reporting category. */
export async function balanceTotals(
  db: Db,
  resource: ResourceModule,
  owner: ObjectOwner,
  range: { gte: number; lt: number },
  excludeCategories: readonly string[],
): Promise<{ currency: string; category: string; gross: number; fee: number; net: number }[]> {
  const rows = await owned(db, resource, owner)
    .where('created', '>=', range.gte)
    .where('created', '<', range.lt)
    .whereNotIn('reporting_category', [...excludeCategories])
    .groupBy('currency', 'reporting_category')
    .select('currency', 'reporting_category')
    .sum({ gross: 'amount', fee: 'fee', net: 'net' });
  return (rows as Record<string, unknown>[]).map((r) => ({
    currency: String(r.currency),
    category: String(r.reporting_category),
    gross: Number(r.gross),
    fee: Number(r.fee),
    net: Number(r.net),
  }));
}

import type { Db } from '../db/database.js';
import { modeOf } from '../config.js';
import { readBool, readNumber, readOptionalNumber, isoOrNull as iso } from '../db/rows.js';
import { listConnections, type ConnectionFilter, type ListedConnection } from './connection-list.js';
import type { ConnectionSummary } from '../../shared/contracts/connection-status.js';
import { connectionIdentity } from './connection-status.js';

const accountKey = (accountId: string, livemode: unknown) => `${accountId}:${modeOf(readBool(livemode))}`;

/**
 * Summaries of a page of connections in a fixed number of queries, whatever the page size:
 * the latest run of each resource and the failed events are read for the whole page at once.
 */
async function summarize(db: Db, page: ListedConnection[]): Promise<ConnectionSummary[]> {
  if (page.length === 0) return [];
  const ids = page.map((c) => c.id);
  const latestRunIds = db('backfill_runs').whereIn('connection_id', ids).groupBy('connection_id', 'resource').max('id');
  const runs = await db('backfill_runs').whereIn('id', latestRunIds).select('connection_id', 'state', 'objects', 'estimated_total');
  const failed = await db('event_inbox')
    .where('status', 'failed')
    .whereIn('account_id', [...new Set(page.map((c) => c.accountId))])
    .groupBy('account_id', 'livemode')
    .select('account_id', 'livemode')
    .count({ n: '*' });
  const failedBy = new Map((failed as Record<string, unknown>[]).map((r) => [accountKey(String(r.account_id), r.livemode), Number(r.n)]));
  return page.map((c) => {
    const mine = runs.filter((r: Record<string, unknown>) => r.connection_id === c.id);
    const estimates = mine.map((r: Record<string, unknown>) => readOptionalNumber(r.estimated_total));
    return {
      ...connectionIdentity(c),
      import: {
        done: mine.length > 0 && mine.every((r: Record<string, unknown>) => r.state === 'succeeded'),
        objects: mine.reduce((sum: number, r: Record<string, unknown>) => sum + readNumber(r.objects), 0),
        estimated_total: estimates.length > 0 && estimates.every((e) => e !== null) ? estimates.reduce((a, b) => a! + b!, 0) : null,
        resources: mine.length,
        failed: mine.filter((r: Record<string, unknown>) => r.state === 'failed').length,
      },
      events: {
        last_event_at: c.lastEventCreated === null ? null : iso(c.lastEventCreated * 1000),
        lag_seconds: c.newestEventLagMs === null ? null : Math.max(0, Math.round(c.newestEventLagMs / 1000)),
        last_polled_at: iso(c.lastPolledAt),
        delayed_since: c.state === 'degraded' || c.state === 'live' ? iso(c.pollFailingSince) : null,
        failed: failedBy.get(accountKey(c.accountId, c.livemode)) ?? 0,
      },
    };
  });
}

export async function listSummaries(db: Db, filter: ConnectionFilter): Promise<{ data: ConnectionSummary[]; total: number }> {
  const { connections, total } = await listConnections(db, filter);
  return { data: await summarize(db, connections), total };
}

/** Summaries of the given connections, in the given order (for the overview's attention list). */
export async function summariesOf(db: Db, ids: string[]): Promise<ConnectionSummary[]> {
  if (ids.length === 0) return [];
  const { connections } = await listConnections(db, { ids, limit: ids.length });
  const byId = new Map(connections.map((c) => [c.id, c]));
  return summarize(
    db,
    ids.map((id) => byId.get(id)).filter((c): c is ListedConnection => c !== undefined),
  );
}

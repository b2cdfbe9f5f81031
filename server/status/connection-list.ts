import type { Db } from '../db/database.js';
import { readOptionalNumber } from '../db/rows.js';
import { toConnection, type Connection } from '../connections/connection-repository.js';
import type { ConnectionState } from '../../shared/connection-states.js';
import type { SortField } from '../../shared/contracts/support-api.js';

export interface ConnectionFilter {
  state?: ConnectionState;
  mode?: 'test' | 'live';
  q?: string;
  ids?: string[];
  sort?: SortField;
  order?: 'asc' | 'desc';
  limit?: number;
  offset?: number;
}

export interface ListedConnection extends Connection {
  /** Creation (unix seconds) of the newest event applied, from the inbox's index. */
  lastEventCreated: number | null;
  lastPolledAt: number | null;
  /** ms from the newest event's creation at Stripe to its storing here. */
  newestEventLagMs: number | null;
  /** ms: since when polls have failed (null while they work). */
  pollFailingSince: number | null;
}

const SORT_COLUMNS = {
  created: 'c.created_at',
  name: 'c.name',
  account: 'c.account_id',
  state: 'c.state',
  mode: 'c.livemode',
  last_event: 'last_event_created',
} as const;

/**
 * One page of connections with each one's newest applied event and last poll, in one query: the
 * newest event is an index lookup per row, so the page costs the same at 10 or 10,000 connections.
 */
export async function listConnections(db: Db, filter: ConnectionFilter = {}): Promise<{ connections: ListedConnection[]; total: number }> {
  const query = db({ c: 'connections' });
  if (filter.state) query.where('c.state', filter.state);
  if (filter.mode) query.where('c.livemode', filter.mode === 'live');
  if (filter.ids) query.whereIn('c.id', filter.ids);
  if (filter.q) {
    const like = `%${filter.q.toLowerCase()}%`;
    query.where((w) =>
      w
        .whereRaw('lower(c.account_id) like ?', [like])
        .orWhereRaw("lower(coalesce(c.name, '')) like ?", [like])
        .orWhereRaw("lower(coalesce(c.merchant_id, '')) like ?", [like])
        .orWhere('c.id', filter.q!),
    );
  }
  const [{ count }] = (await query.clone().count({ count: '*' })) as [{ count: number | string }];
  const newest = db('event_inbox as e')
    .max('e.created')
    .whereRaw('e.account_id = c.account_id')
    .whereRaw('e.livemode = c.livemode')
    .where('e.status', 'processed');
  const order = filter.order ?? 'desc';
  const rows = await query
    .leftJoin({ w: 'event_watermarks' }, 'w.connection_id', 'c.id')
    .select('c.*', {
      last_event_created: newest,
      newest_lag_ms: newestLag(db),
      last_polled_at: 'w.last_polled_at',
      poll_failing_since: 'w.poll_failing_since',
    })
    // knex's own nulls option drops the column on SQLite; both engines take NULLS FIRST/LAST.
    .orderByRaw(`?? ${order} nulls ${order === 'asc' ? 'first' : 'last'}`, [SORT_COLUMNS[filter.sort ?? 'created']])
    .orderBy('c.id')
    .limit(filter.limit ?? 100)
    .offset(filter.offset ?? 0);
  return {
    connections: rows.map((r: Record<string, unknown>) => ({
      ...toConnection(r),
      lastEventCreated: readOptionalNumber(r.last_event_created),
      lastPolledAt: readOptionalNumber(r.last_polled_at),
      newestEventLagMs: readOptionalNumber(r.newest_lag_ms),
      pollFailingSince: readOptionalNumber(r.poll_failing_since),
    })),
    total: Number(count),
  };
}

/** The newest event's trip from Stripe to us (ms), for a connection row `c`: one index lookup. */
function newestLag(db: Db) {
  return db('event_inbox as e')
    .select(db.raw('e.received_at - e.created * 1000'))
    .whereRaw('e.account_id = c.account_id')
    .whereRaw('e.livemode = c.livemode')
    .orderBy('e.created', 'desc')
    .limit(1);
}

import type { Db } from '../db/database.js';
import { readNumber, readOptionalNumber, isoOrNull as iso } from '../db/rows.js';
import type { Connection } from '../connections/connection-repository.js';
import { RESOURCES } from '../resources/registry.js';
import type { ConnectionActivity } from '../../shared/contracts/connection-status.js';

const HOUR_MS = 3_600_000;

/**
 * The last 24 hours of a connection's events, hour by hour: how long each took from its creation
 * at Stripe to being applied here (the lag support staff care about), and where events came from.
 */
export async function connectionActivity(db: Db, c: Connection, now = Date.now()): Promise<ConnectionActivity> {
  const since = Math.floor(now / HOUR_MS) * HOUR_MS - 23 * HOUR_MS;
  const events = db('event_inbox').where({ account_id: c.accountId, livemode: c.livemode });
  // SQLite binds numbers as reals, hence the cast; `created` is Stripe's unix seconds, ours are ms.
  const buckets = await events
    .clone()
    .where('received_at', '>=', since)
    .where('created', '>=', Math.floor(since / 1000) - 86_400)
    .whereNotNull('processed_at')
    .select(db.raw('cast((received_at - ?) / ? as integer) as bucket', [since, HOUR_MS]))
    .count({ n: '*' })
    .avg({ avg_ms: db.raw('processed_at - created * 1000') })
    .max({ max_ms: db.raw('processed_at - created * 1000') })
    .groupBy('bucket');
  const byBucket = new Map(buckets.map((b: Record<string, unknown>) => [readNumber(b.bucket), b]));
  const lag_history = Array.from({ length: 24 }, (_, i) => {
    const b = byBucket.get(i);
    const seconds = (v: unknown) => (v === null || v === undefined ? null : Math.max(0, Math.round(readNumber(v) / 1000)));
    return {
      hour: iso(since + i * HOUR_MS)!,
      events: b ? Number(b.n) : 0,
      avg_lag_seconds: b ? seconds(b.avg_ms) : null,
      max_lag_seconds: b ? seconds(b.max_ms) : null,
    };
  });
  const sources = await events
    .clone()
    .groupBy('source')
    .select('source')
    .count({ n: '*' })
    .sum({ deliveries: 'deliveries' })
    .max({ last: 'received_at' });
  const secrets = await db('connection_secrets').where({ connection_id: c.id }).orderBy('kind').select('kind', 'updated_at');
  return {
    lag_history,
    deliveries: sources.map((s: Record<string, unknown>) => ({
      source: String(s.source),
      events: Number(s.n),
      deliveries: Number(s.deliveries),
      last_received_at: iso(readOptionalNumber(s.last)),
    })),
    secrets: secrets.map((s: Record<string, unknown>) => ({ kind: String(s.kind), rotated_at: iso(readNumber(s.updated_at))! })),
    resources: RESOURCES.map((r) => r.name),
  };
}

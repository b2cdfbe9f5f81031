import type { Db } from '../db/database.js';
import { readBool, readNumber, readOptionalNumber } from '../db/rows.js';
import { DELAYED_REASON } from '../events/poll-health.js';
import type { SupportOverview } from '../../shared/contracts/connection-status.js';
import type { ConnectionState } from '../../shared/connection-states.js';
import { summariesOf } from './connection-summaries.js';

const ATTENTION_LIMIT = 25;
const minutesSince = (ms: number) => {
  const m = Math.round((Date.now() - ms) / 60_000);
  return m < 1 ? 'under a minute' : `${m} min`;
};
/** The poller visits every active connection each 15 s; ten minutes without a poll means lag is growing. */
const STALE_POLL_MS = 10 * 60_000;
/** An import with no page stored for this long is stalled (pages come every second or so while it runs). */
export const STALLED_AFTER_MS = 3 * 60_000;
/** Events are applied seconds after they arrive; still pending after this, something holds them. */
const PENDING_TOO_LONG_MS = 3 * 60_000;

const PROBLEMS: Partial<Record<ConnectionState, string>> = {
  reauthorization_required: 'Stripe refuses the stored credentials',
  permission_missing: 'the API key lacks permissions',
  degraded: 'errors are being retried',
};

/**
 * Counts by state, then the connections that need someone, worst first: broken credentials or
 * permissions, then repeated failures (events that could not be applied), then growing lag
 * (an active connection not polled for a while). Each part is a bounded, indexed query.
 */
export async function supportOverview(db: Db): Promise<SupportOverview> {
  const counts = (await db('connections').groupBy('state').select('state').count({ n: '*' })) as { state: ConnectionState; n: unknown }[];
  const reasons = new Map<string, string[]>();
  const note = (id: string, reason: string) => reasons.set(id, [...(reasons.get(id) ?? []), reason]);

  const broken = await db('connections')
    .whereIn('state', Object.keys(PROBLEMS))
    .orderByRaw(
      `case state ${Object.keys(PROBLEMS)
        .map((s, i) => `when '${s}' then ${i}`)
        .join(' ')} end`,
    )
    .orderBy('state_changed_at')
    .limit(ATTENTION_LIMIT)
    .select('id', 'state', 'state_reason', 'state_changed_at');
  for (const c of broken) {
    const delayed = c.state === 'degraded' && String(c.state_reason ?? '').startsWith(DELAYED_REASON);
    note(
      String(c.id),
      delayed
        ? `events delayed: polls failing (degraded for ${minutesSince(readNumber(c.state_changed_at))})`
        : PROBLEMS[c.state as ConnectionState]!,
    );
  }

  // Events by account and mode, told to the connection they belong to.
  const noteEvents = async (groups: Record<string, unknown>[], say: (g: Record<string, unknown>) => string) => {
    const owners = groups.length
      ? await db('connections')
          .whereIn(
            'account_id',
            groups.map((g) => String(g.account_id)),
          )
          .select('id', 'account_id', 'livemode')
      : [];
    for (const g of groups) {
      const c = owners.find((o: Record<string, unknown>) => o.account_id === g.account_id && readBool(o.livemode) === readBool(g.livemode));
      if (c) note(String(c.id), say(g));
    }
  };
  await noteEvents(
    await db('event_inbox')
      .where('status', 'failed')
      .groupBy('account_id', 'livemode')
      .select('account_id', 'livemode')
      .count({ n: '*' })
      .orderBy('n', 'desc')
      .limit(ATTENTION_LIMIT),
    (g) => `${Number(g.n)} event(s) failed to apply`,
  );
  // Events that stay pending: processing of the account is stuck (or far behind), whatever its state says.
  await noteEvents(
    await db('event_inbox')
      .where('status', 'pending')
      .where('received_at', '<', Date.now() - PENDING_TOO_LONG_MS)
      .groupBy('account_id', 'livemode')
      .select('account_id', 'livemode')
      .count({ n: '*' })
      .min({ since: 'received_at' })
      .orderBy('since')
      .limit(ATTENTION_LIMIT),
    (g) => `${Number(g.n)} event(s) pending for ${minutesSince(readNumber(g.since))}`,
  );

  const staleBefore = Date.now() - STALE_POLL_MS;
  const stale = await db({ c: 'connections' })
    .leftJoin({ w: 'event_watermarks' }, 'w.connection_id', 'c.id')
    .whereIn('c.state', ['live', 'degraded'])
    .where((w) => w.where('w.last_polled_at', '<', staleBefore).orWhereNull('w.last_polled_at'))
    .where('c.state_changed_at', '<', staleBefore)
    .orderBy('w.last_polled_at', 'asc', 'first')
    .limit(ATTENTION_LIMIT)
    .select('c.id', { polled: 'w.last_polled_at' });
  for (const s of stale) {
    const polled = readOptionalNumber(s.polled);
    note(String(s.id), polled === null ? 'events have never been polled' : `no poll for ${Math.round((Date.now() - polled) / 60_000)} min`);
  }

  // Imports whose pages stopped advancing (or that have nothing running at all).
  const stalledBefore = Date.now() - STALLED_AFTER_MS;
  const progress = db('backfill_segments as s')
    .join('backfill_runs as r', 'r.id', 's.run_id')
    .whereRaw('r.connection_id = c.id')
    .where('r.state', 'running')
    .max('s.updated_at');
  const importing = await db({ c: 'connections' })
    .whereIn('c.state', ['connecting', 'backfilling'])
    .where('c.state_changed_at', '<', stalledBefore)
    .orderBy('c.state_changed_at')
    .limit(ATTENTION_LIMIT)
    .select('c.id', 'c.state_changed_at', { progress });
  for (const c of importing) {
    const last = readOptionalNumber(c.progress);
    if (last !== null && last >= stalledBefore) continue;
    note(String(c.id), `import stalled: no page stored for ${minutesSince(last ?? readNumber(c.state_changed_at))}`);
  }

  const ids = [...reasons.keys()].slice(0, ATTENTION_LIMIT);
  const summaries = await summariesOf(db, ids);
  return {
    total: counts.reduce((sum, c) => sum + Number(c.n), 0),
    by_state: Object.fromEntries(counts.map((c) => [c.state, Number(c.n)])),
    attention: summaries.map((s) => ({ ...s, reasons: reasons.get(s.id)! })),
  };
}

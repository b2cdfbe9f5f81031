import type { Db } from '../db/database.js';
import type { Insights } from '../../shared/contracts/app-api.js';

const DAY = 86400;
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
const ratio = (part: number, whole: number) => (whole ? Number((part / whole).toFixed(4)) : null);

/**
 * Figures from the merchant's own imported data for the last `days` days, each stated with its
 * period and how fresh the data is: success rate and declines, refund and dispute rates, fraud
 * warnings, fees as a share of volume in each currency, daily trends (UTC days), upcoming and recent payouts.
 */
export async function computeInsights(
  db: Db,
  accountId: string,
  livemode: boolean,
  days: number,
  now = Math.floor(Date.now() / 1000),
): Promise<Insights> {
  const from = now - days * DAY;
  const scoped = (table: string) =>
    db(table).where({ account_id: accountId, livemode }).where('created', '>=', from).where('created', '<', now);
  const count = async (q: ReturnType<typeof scoped>) => Number((await q.count({ n: '*' }))[0]!.n);

  const attempted = await count(scoped('charges').whereIn('status', ['succeeded', 'failed']));
  const succeeded = await count(scoped('charges').where({ status: 'succeeded' }));
  const declines = await scoped('charges')
    .where({ status: 'failed' })
    .whereNotNull('failure_code')
    .groupBy('failure_code')
    .select('failure_code')
    .count({ n: '*' })
    .orderBy('n', 'desc')
    .limit(5);
  const refunds = await count(scoped('refunds').whereNot('status', 'failed'));
  const disputes = await count(scoped('disputes'));
  const warnings = await count(scoped('early_fraud_warnings'));
  const fees = await scoped('balance_transactions')
    .where({ type: 'charge' })
    .groupBy('currency')
    .select('currency')
    .sum({ volume: 'amount', fees: 'fee' });
  // UTC days as whole numbers; a literal divisor, so that PostgreSQL sees the same expression in SELECT and GROUP BY.
  const day = db.raw(`created / ${DAY}`);
  const perDay = async (q: ReturnType<typeof scoped>) =>
    new Map<number, number>(
      ((await q.select({ day }).count({ n: '*' }).groupBy(day)) as Record<string, unknown>[]).map((r) => [Number(r.day), Number(r.n)]),
    );
  const attemptedByDay = await perDay(scoped('charges').whereIn('status', ['succeeded', 'failed']));
  const succeededByDay = await perDay(scoped('charges').where({ status: 'succeeded' }));
  const disputesByDay = await perDay(scoped('disputes'));
  const volumeByDay = await scoped('charges')
    .where({ status: 'succeeded' })
    .select({ day, currency: 'currency' })
    .sum({ amount: 'amount' })
    .groupByRaw(`created / ${DAY}, currency`)
    .orderBy([{ column: 'day' }, { column: 'currency' }]);
  const upcoming = await db('payouts')
    .where({ account_id: accountId, livemode })
    .whereIn('status', ['pending', 'in_transit'])
    .where('arrival_date', '>=', now - DAY)
    .orderBy('arrival_date')
    .limit(5)
    .select('id', 'amount', 'currency', 'arrival_date');
  const recent = await db('payouts')
    .where({ account_id: accountId, livemode })
    .where('arrival_date', '<', now)
    .orderBy('arrival_date', 'desc')
    .limit(5)
    .select('id', 'amount', 'currency', 'arrival_date', 'status');
  const synced = await db('charges').where({ account_id: accountId, livemode }).max({ at: 'synced_at' }).first();
  const lastEvent = await db('event_inbox').where({ account_id: accountId, livemode, status: 'processed' }).max({ at: 'created' }).first();

  const dayNumbers = Array.from({ length: Math.floor((now - 1) / DAY) - Math.floor(from / DAY) + 1 }, (_, k) => Math.floor(from / DAY) + k);
  const date = (d: number) => iso(d * DAY).slice(0, 10);
  const payout = (p: Record<string, unknown>) => ({
    id: String(p.id),
    amount: Number(p.amount),
    currency: String(p.currency),
    arrival_date: iso(Number(p.arrival_date)),
  });
  return {
    period: { from: iso(from), to: iso(now), days },
    freshness: {
      last_synced_at: synced?.at ? new Date(Number(synced.at)).toISOString() : null,
      last_event_at: lastEvent?.at ? iso(Number(lastEvent.at)) : null,
    },
    payments: {
      attempted,
      succeeded,
      success_rate: ratio(succeeded, attempted),
      top_decline_codes: (declines as Record<string, unknown>[]).map((d) => ({ code: String(d.failure_code), count: Number(d.n) })),
    },
    refunds: { count: refunds, rate: ratio(refunds, succeeded) },
    disputes: { count: disputes, rate: ratio(disputes, succeeded), early_fraud_warnings: warnings },
    fees: (fees as Record<string, unknown>[])
      .map((f) => ({ currency: String(f.currency), volume: Number(f.volume), fees: Number(f.fees) }))
      .map((f) => ({ ...f, share: ratio(f.fees, f.volume) }))
      .sort((a, b) => b.volume - a.volume || (a.currency < b.currency ? -1 : 1)),
    daily: dayNumbers.map((d) => {
      const tried = attemptedByDay.get(d) ?? 0;
      const ok = succeededByDay.get(d) ?? 0;
      return { date: date(d), attempted: tried, succeeded: ok, success_rate: ratio(ok, tried), disputes: disputesByDay.get(d) ?? 0 };
    }),
    daily_volume: (volumeByDay as Record<string, unknown>[]).map((v) => ({
      date: date(Number(v.day)),
      currency: String(v.currency),
      amount: Number(v.amount),
    })),
    payouts: {
      upcoming: upcoming.map(payout),
      recent: recent.map((p: Record<string, unknown>) => ({ ...payout(p), status: String(p.status) })),
    },
  };
}

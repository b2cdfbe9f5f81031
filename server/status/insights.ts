import type { Db } from '../db/database.js';
import type { Insights } from '../../shared/contracts/app-api.js';

const DAY = 86400;
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
const ratio = (part: number, whole: number) => (whole ? Number((part / whole).toFixed(4)) : null);

/**
 * Figures from the merchant's own imported data for the last `days` days, each stated with its
 * period and how fresh the data is: success rate and declines, refund and dispute rates, fraud
 * warnings, fees as a share of volume, upcoming and recent payouts.
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
    .sum({ volume: 'amount', fees: 'fee' })
    .orderBy('volume', 'desc')
    .first();
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

  const volume = Number(fees?.volume ?? 0);
  const feeTotal = Number(fees?.fees ?? 0);
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
    fees: {
      volume,
      fees: feeTotal,
      share: ratio(feeTotal, volume),
      currency: fees ? String((fees as Record<string, unknown>).currency) : null,
    },
    payouts: {
      upcoming: upcoming.map(payout),
      recent: recent.map((p: Record<string, unknown>) => ({ ...payout(p), status: String(p.status) })),
    },
  };
}

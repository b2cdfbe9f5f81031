import { Box, Inline, Select } from '@stripe/ui-extension-sdk/ui';
import type { Insights } from '../../shared/contracts/app-api';
import { Empty, Loading, LoadError } from '../components/States';
import { PERIODS, useInsights } from '../hooks/useInsights';

const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(1)}%`);
const money = (minor: number, currency: string | null) => `${(minor / 100).toFixed(2)} ${(currency ?? '').toUpperCase()}`;

const asOf = (i: Insights) => (i.freshness.last_event_at ?? i.freshness.last_synced_at ?? 'never').slice(0, 16).replace('T', ' ');

const Figure = ({ label, value }: { label: string; value: string }) => (
  <Box css={{ stack: 'x', distribute: 'space-between' }}>
    <Inline>{label}</Inline>
    <Inline css={{ fontWeight: 'semibold' }}>{value}</Inline>
  </Box>
);

const Figures = ({ insights: i }: { insights: Insights }) => (
  <Box css={{ stack: 'y', gap: 'small' }}>
    <Box css={{ color: 'secondary' }}>{`${i.period.from.slice(0, 10)} to ${i.period.to.slice(0, 10)} · data as of ${asOf(i)}`}</Box>
    <Figure label="Payment success rate" value={`${pct(i.payments.success_rate)} of ${i.payments.attempted}`} />
    <Figure
      label="Top decline"
      value={
        i.payments.top_decline_codes[0] ? `${i.payments.top_decline_codes[0].code} (${i.payments.top_decline_codes[0].count})` : 'none'
      }
    />
    <Figure label="Refund rate" value={pct(i.refunds.rate)} />
    <Figure label="Dispute rate" value={pct(i.disputes.rate)} />
    <Figure label="Early fraud warnings" value={String(i.disputes.early_fraud_warnings)} />
    <Figure label="Fees of volume" value={`${pct(i.fees.share)} of ${money(i.fees.volume, i.fees.currency)}`} />
    <Figure
      label="Next payout"
      value={
        i.payouts.upcoming[0]
          ? `${money(i.payouts.upcoming[0].amount, i.payouts.upcoming[0].currency)} on ${i.payouts.upcoming[0].arrival_date.slice(0, 10)}`
          : 'none scheduled'
      }
    />
  </Box>
);

/** The home overview: a few figures from the merchant's own data, for a chosen period. */
export const InsightsPage = () => {
  const { loading, error, data, reload, days, setDays } = useInsights();
  return (
    <Box css={{ stack: 'y', gap: 'medium' }}>
      <Select name="period" label="Period" value={String(days)} onChange={(e) => setDays(Number(e.target.value))}>
        {PERIODS.map((p) => (
          <option key={p} value={String(p)}>{`Last ${p} days`}</option>
        ))}
      </Select>
      {loading && !data ? (
        <Loading what="insights" />
      ) : error ? (
        <LoadError message={error} onRetry={reload} />
      ) : !data || data.payments.attempted === 0 ? (
        <Empty>No payments in this period yet.</Empty>
      ) : (
        <Figures insights={data} />
      )}
    </Box>
  );
};

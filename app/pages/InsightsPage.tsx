import { BarChart, Box, Divider, Inline, LineChart, Select } from '@stripe/ui-extension-sdk/ui';
import type { Insights } from '../../shared/contracts/app-api';
import { declineText } from '../../shared/decline-codes';
import { formatMoney, minorToDecimal } from '../../shared/money';
import { Empty, Loading, LoadError } from '../components/States';
import { PERIODS, useInsights } from '../hooks/useInsights';

const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(1)}%`);
const count = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

const asOf = (i: Insights) => (i.freshness.last_event_at ?? i.freshness.last_synced_at ?? 'never').slice(0, 19).replace('T', ' ');

const Figure = ({ label, value }: { label: string; value: string }) => (
  <Box css={{ stack: 'x', distribute: 'space-between', gap: 'small' }}>
    <Inline>{label}</Inline>
    <Inline css={{ fontWeight: 'semibold' }}>{value}</Inline>
  </Box>
);

const Heading = ({ children }: { children: string }) => <Box css={{ font: 'heading' }}>{children}</Box>;

/** Charts take numbers; the figures beside them stay exact (formatMoney). */
const major = (minor: number, currency: string) => Number(minorToDecimal(minor, currency));

const Trends = ({ insights: i }: { insights: Insights }) => {
  const currencies = Array.from(new Set(i.daily_volume.map((v) => v.currency)));
  return (
    <Box css={{ stack: 'y', gap: 'medium' }}>
      {currencies.map((currency) => (
        <Box key={currency} css={{ stack: 'y', gap: 'xsmall' }}>
          <Heading>{`Daily volume (${currency.toUpperCase()})`}</Heading>
          <BarChart
            data={i.daily_volume.filter((v) => v.currency === currency).map((v) => ({ date: v.date, amount: major(v.amount, currency) }))}
            x="date"
            y={{ value: 'amount', format: { currency: currency.toUpperCase() as never } }}
          />
        </Box>
      ))}
      <Heading>Daily success rate</Heading>
      <LineChart
        data={i.daily.filter((d) => d.success_rate !== null).map((d) => ({ date: d.date, rate: d.success_rate! * 100 }))}
        x="date"
        y={{ value: 'rate', format: { unit: 'percent' } }}
      />
      <Heading>Disputes per day</Heading>
      <BarChart data={i.daily.map((d) => ({ date: d.date, disputes: d.disputes }))} x="date" y="disputes" />
    </Box>
  );
};

const Figures = ({ insights: i }: { insights: Insights }) => (
  <Box css={{ stack: 'y', gap: 'small' }}>
    <Box
      css={{ color: 'secondary' }}
    >{`${i.period.from.slice(0, 10)} to ${i.period.to.slice(0, 10)} (UTC) · data as of ${asOf(i)} UTC`}</Box>
    <Figure
      label="Payment success rate"
      value={`${pct(i.payments.success_rate)} of ${count(i.payments.attempted, 'payment', 'payments')}`}
    />
    {i.payments.top_decline_codes.length === 0 ? (
      <Figure label="Declines" value="none" />
    ) : (
      i.payments.top_decline_codes.map((d, n) => (
        <Figure key={d.code} label={n === 0 ? 'Top declines' : ''} value={`${declineText(d.code)} (${d.count.toLocaleString('en-US')})`} />
      ))
    )}
    <Figure label="Refund rate" value={pct(i.refunds.rate)} />
    <Figure label="Dispute rate" value={pct(i.disputes.rate)} />
    <Figure label="Early fraud warnings" value={i.disputes.early_fraud_warnings.toLocaleString('en-US')} />
    {i.fees.length === 0 ? (
      <Figure label="Fees" value="none in this period" />
    ) : (
      i.fees.map((f) => (
        <Figure
          key={f.currency}
          label={`Fees (${f.currency.toUpperCase()})`}
          value={`${formatMoney(f.fees, f.currency)}, ${pct(f.share)} of ${formatMoney(f.volume, f.currency)}`}
        />
      ))
    )}
    {i.payouts.upcoming.length === 0 ? (
      <Figure label="Next payout" value="none scheduled" />
    ) : (
      i.payouts.upcoming.map((p, n) => (
        <Figure
          key={p.id}
          label={n === 0 ? 'Next payouts' : ''}
          value={`${formatMoney(p.amount, p.currency)} on ${p.arrival_date.slice(0, 10)}`}
        />
      ))
    )}
  </Box>
);

/** The home overview: figures and trends from the merchant's own data, for a chosen period, in every currency it holds. */
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
        <Box css={{ stack: 'y', gap: 'medium' }}>
          <Figures insights={data} />
          <Divider />
          <Trends insights={data} />
        </Box>
      )}
    </Box>
  );
};

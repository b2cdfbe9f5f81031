import { Box, Inline } from '@stripe/ui-extension-sdk/ui';
import type { ConnectionStatus } from '../../shared/contracts/connection-status';

const ago = (at: string | null, none: string) => {
  if (!at) return none;
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(at)) / 1000));
  return seconds < 120
    ? `${seconds} s ago`
    : seconds < 7200
      ? `${Math.round(seconds / 60)} min ago`
      : `${Math.round(seconds / 3600)} h ago`;
};

type Report = ConnectionStatus['reports'][number];

const reconciliationText = (r: Report) =>
  !r.reconciliation
    ? ''
    : ` · ${r.reconciliation.status === 'not_reconciled' ? `not reconciled: ${r.reconciliation.reason}` : r.reconciliation.status}`;

/** For a live connection: how fresh the data is and what the reports say. */
export const LiveSummary = ({ status }: { status: ConnectionStatus }) => (
  <Box css={{ stack: 'y', gap: 'small' }}>
    {status.events.delayed && (
      <Inline css={{ color: 'critical' }}>
        Data delayed: Stripe has not answered our checks since {status.events.delayed.since.slice(11, 16)} UTC. We keep retrying; nothing is
        lost.
      </Inline>
    )}
    <Box css={{ stack: 'x', distribute: 'space-between' }}>
      <Inline>Last checked</Inline>
      <Inline css={{ color: 'secondary' }}>{ago(status.events.last_checked_at, 'not yet')}</Inline>
    </Box>
    <Box css={{ stack: 'x', distribute: 'space-between' }}>
      <Inline>Last event</Inline>
      <Inline css={{ color: 'secondary' }}>{ago(status.events.last_event_at, 'no events yet')}</Inline>
    </Box>
    {status.reports.map((r) => (
      <Box key={r.family} css={{ stack: 'x', distribute: 'space-between' }}>
        <Inline>{r.family}</Inline>
        <Inline css={{ color: r.last_failure ? 'critical' : 'secondary' }}>
          {r.last_failure
            ? `failed: ${r.last_failure}`
            : r.pending
              ? 'preparing…'
              : r.last_interval
                ? `up to ${r.last_interval.end.slice(0, 10)}${reconciliationText(r)}`
                : 'not run yet'}
        </Inline>
      </Box>
    ))}
  </Box>
);

import { Box, Inline } from '@stripe/ui-extension-sdk/ui';
import type { ConnectionStatus } from '../../shared/contracts/connection-status';

const ago = (seconds: number | null) => (seconds === null ? 'no events yet' : seconds < 120 ? `${seconds} s ago` : `${Math.round(seconds / 60)} min ago`);

/** For a live connection: how fresh the data is and what the reports say. */
export const LiveSummary = ({ status }: { status: ConnectionStatus }) => (
  <Box css={{ stack: 'y', gap: 'small' }}>
    <Box css={{ stack: 'x', distribute: 'space-between' }}>
      <Inline>Last event</Inline>
      <Inline css={{ color: 'secondary' }}>{ago(status.events.lag_seconds)}</Inline>
    </Box>
    {status.reports.map((r) => (
      <Box key={r.family} css={{ stack: 'x', distribute: 'space-between' }}>
        <Inline>{r.family}</Inline>
        <Inline css={{ color: r.last_failure ? 'critical' : 'secondary' }}>
          {r.last_failure ? `failed: ${r.last_failure}`
            : r.pending ? 'preparing…'
            : r.last_interval ? `up to ${r.last_interval.end.slice(0, 10)}${r.reconciliation ? ` · ${r.reconciliation.status}` : ''}`
            : 'not run yet'}
        </Inline>
      </Box>
    ))}
  </Box>
);

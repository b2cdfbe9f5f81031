import { Box, Inline } from '@stripe/ui-extension-sdk/ui';
import type { ConnectionStatus } from '../../shared/contracts/connection-status';
import { verificationText } from '../../shared/verification-text';

const eta = (seconds: number | null) =>
  seconds === null ? ' · time left unknown' : seconds < 90 ? ` · about ${seconds} s left` : ` · about ${Math.round(seconds / 60)} min left`;

/** One line per resource: objects imported, of how many (once the oldest are reached), how long it should still take, and verification. */
export const ImportProgress = ({ resources }: { resources: ConnectionStatus['import']['resources'] }) =>
  resources.length === 0 ? (
    <Box css={{ color: 'secondary' }}>The import is about to start.</Box>
  ) : (
    <Box css={{ stack: 'y', gap: 'xsmall' }}>
      {resources.map((r) => (
        <Box key={r.resource} css={{ stack: 'x', distribute: 'space-between' }}>
          <Inline>{r.resource.replace(/_/g, ' ')}</Inline>
          <Inline css={{ color: r.state === 'failed' ? 'critical' : 'secondary' }}>
            {r.state === 'succeeded'
              ? `${r.objects} imported · ${verificationText(r.verification) ?? 'done'}`
              : r.state === 'failed'
                ? `stopped: ${r.last_error ?? 'error'}`
                : `${r.objects}${r.estimated_total ? ` of ~${r.estimated_total}` : ' so far'}${eta(r.eta_seconds)}`}
          </Inline>
        </Box>
      ))}
    </Box>
  );

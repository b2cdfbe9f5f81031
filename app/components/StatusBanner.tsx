import { Banner, Box, Button } from '@stripe/ui-extension-sdk/ui';
import type { ConnectionStatus } from '../../shared/contracts/connection-status';

const TITLES: Partial<Record<ConnectionStatus['state'], string>> = {
  reauthorization_required: 'Reconnect needed',
  permission_missing: 'Some data cannot be read',
  degraded: 'Sync is retrying',
  paused: 'Sync is paused',
};

/** What went wrong, what to do, and the button that does it. Nothing when all is well. */
export const StatusBanner = ({
  status,
  onAction,
  busy,
}: {
  status: ConnectionStatus;
  onAction: (a: 'resync' | 'resume') => void;
  busy: boolean;
}) => {
  const title = TITLES[status.state];
  if (!title) return null;
  const action =
    status.state === 'reauthorization_required' && status.reauthorize_url ? (
      <Button href={status.reauthorize_url} target="_blank" type="primary">
        Reconnect
      </Button>
    ) : status.actions.includes('resume') ? (
      <Button onPress={() => onAction('resume')} disabled={busy}>
        Resume sync
      </Button>
    ) : status.actions.includes('resync') ? (
      <Button onPress={() => onAction('resync')} disabled={busy}>
        Retry now
      </Button>
    ) : undefined;
  // The action sits under the banner rather than in its `actions` slot, where it stays reachable
  // for keyboard users and for the view tests.
  return (
    <Box css={{ stack: 'y', gap: 'small' }}>
      <Banner
        type={status.state === 'degraded' || status.state === 'paused' ? 'caution' : 'critical'}
        title={title}
        description={[status.state_reason, status.what_to_do].filter(Boolean).join(' ')}
      />
      {action}
    </Box>
  );
};

import { Box, Button, ContextView } from '@stripe/ui-extension-sdk/ui';
import { ImportProgress } from '../components/ImportProgress';
import { LiveSummary } from '../components/LiveSummary';
import { Loading, LoadError } from '../components/States';
import { StatusBanner } from '../components/StatusBanner';
import { useConnectionStatus } from '../hooks/useConnectionStatus';

/** The drawer: connect, follow the import, see that sync is healthy, fix what is not. */
export const DrawerPage = () => {
  const { loading, error, data, reload, act, acting, actionError } = useConnectionStatus();
  return (
    <ContextView title="Payments Intelligence">
      <Box css={{ stack: 'y', gap: 'medium' }}>
        {loading && !data ? (
          <Loading what="connection status" />
        ) : error ? (
          <LoadError message={error} onRetry={reload} />
        ) : !data ? null : !('state' in data) ? (
          <Box css={{ stack: 'y', gap: 'small' }}>
            <Box>Connect this account to import your payment history and keep it in sync, with no webhook setup.</Box>
            <Button type="primary" href={data.install_url} target="_blank">
              Connect
            </Button>
          </Box>
        ) : (
          <Box css={{ stack: 'y', gap: 'medium' }}>
            <StatusBanner status={data} onAction={(a) => void act(a)} busy={acting} />
            {actionError ? <Box css={{ color: 'critical' }}>{actionError}</Box> : null}
            {data.state === 'connecting' || data.state === 'backfilling' ? <ImportProgress resources={data.import.resources} /> : null}
            {data.state === 'live' || (data.state === 'degraded' && data.events.delayed) ? <LiveSummary status={data} /> : null}
          </Box>
        )}
      </Box>
    </ContextView>
  );
};

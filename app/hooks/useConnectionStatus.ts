import { useCallback, useState } from 'react';
import { useBackendClient } from '../api/BackendClientContext';
import type { AppStatus } from '../api/backend-client';
import { useRemote } from './useRemote';

/** The drawer's data: the connection status, and the actions it offers. */
export function useConnectionStatus() {
  const client = useBackendClient();
  const load = useCallback(() => client.status(), [client]);
  const remote = useRemote<AppStatus>(load);
  const [acting, setActing] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const act = useCallback(
    async (action: 'resync' | 'pause' | 'resume') => {
      setActing(true);
      setActionError(null);
      try {
        await client.act(action);
        remote.reload();
      } catch (err) {
        setActionError((err as Error).message);
      } finally {
        setActing(false);
      }
    },
    [client, remote],
  );
  return { ...remote, act, acting, actionError };
}

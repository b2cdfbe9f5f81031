import { useCallback, useState } from 'react';
import type { AppSettings } from '../../shared/contracts/app-api';
import { useBackendClient } from '../api/BackendClientContext';
import type { SettingsWithPause } from '../api/backend-client';
import { useRemote } from './useRemote';

/** The settings form: current values, saving, and the backend's validation message. */
export function useSettings() {
  const client = useBackendClient();
  const load = useCallback(() => client.settings(), [client]);
  const remote = useRemote<SettingsWithPause>(load);
  const [status, setStatus] = useState<{ saving: boolean; message: string | null; saveError: string | null }>({
    saving: false,
    message: null,
    saveError: null,
  });
  const save = useCallback(
    async (settings: AppSettings) => {
      setStatus({ saving: true, message: null, saveError: null });
      try {
        await client.saveSettings(settings);
        setStatus({ saving: false, message: 'Saved', saveError: null });
      } catch (err) {
        setStatus({ saving: false, message: null, saveError: (err as Error).message });
      }
    },
    [client],
  );
  const setPaused = useCallback(
    async (paused: boolean) => {
      await client
        .act(paused ? 'pause' : 'resume')
        .catch((err: Error) => setStatus({ saving: false, message: null, saveError: err.message }));
      remote.reload();
    },
    [client, remote],
  );
  return { ...remote, save, setPaused, ...status };
}

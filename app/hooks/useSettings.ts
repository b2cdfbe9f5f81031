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
  const [status, setStatus] = useState<{ saving: boolean; message: string | null; error: string | null }>({ saving: false, message: null, error: null });
  const save = useCallback(async (settings: AppSettings) => {
    setStatus({ saving: true, message: null, error: null });
    try {
      await client.saveSettings(settings);
      setStatus({ saving: false, message: 'Saved', error: null });
    } catch (err) {
      setStatus({ saving: false, message: null, error: (err as Error).message });
    }
  }, [client]);
  const setPaused = useCallback(async (paused: boolean) => {
    await client.act(paused ? 'pause' : 'resume').catch((err: Error) => setStatus({ saving: false, message: null, error: err.message }));
    remote.reload();
  }, [client, remote]);
  return { ...remote, save, setPaused, ...status };
}

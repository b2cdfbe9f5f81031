import { useCallback, useEffect, useState } from 'react';

export interface Remote<T> {
  loading: boolean;
  error: string | null;
  data: T | null;
  reload: () => void;
}

/** Loads something from the backend and keeps its loading and error state. */
export function useRemote<T>(load: () => Promise<T>): Remote<T> {
  const [state, setState] = useState<{ loading: boolean; error: string | null; data: T | null }>({
    loading: true,
    error: null,
    data: null,
  });
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    load().then(
      (data) => live && setState({ loading: false, error: null, data }),
      (err: Error) => live && setState({ loading: false, error: err.message, data: null }),
    );
    return () => {
      live = false;
    };
  }, [load, nonce]);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { ...state, reload };
}

import { useCallback, useEffect, useState } from 'react';

/** Loads data now and again every `intervalMs`, keeping the last good answer while it refreshes. */
export function usePolling<T>(load: () => Promise<T>, intervalMs: number, deps: unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    let live = true;
    const run = () =>
      load().then(
        (d) => {
          if (live) {
            setData(d);
            setError(null);
          }
        },
        (e: Error) => {
          if (live) setError(e);
        },
      );
    void run();
    const timer = setInterval(run, intervalMs);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [...deps, tick]);
  return { data, error, reload };
}

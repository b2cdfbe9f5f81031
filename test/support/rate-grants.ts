import type { AccountRateLimiter, Lane } from '../../server/stripe/rate-limiter.js';

/**
 * How many `lane` calls a limiter grants in `ms` to `callers` that ask as fast as they can. Pacing
 * tests assert upper bounds only: a loaded machine can only grant fewer.
 */
export async function grantsWithin(limiter: AccountRateLimiter, lane: Lane, ms: number, callers = 20): Promise<number> {
  const stop = AbortSignal.timeout(ms);
  let granted = 0;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      for (;;) {
        try {
          await limiter.acquire('charges', stop, lane);
        } catch {
          return;
        }
        if (stop.aborted) return;
        granted++;
      }
    }),
  );
  return granted;
}

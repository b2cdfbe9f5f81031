/** Runs `work` over a queue that may grow while it runs, `concurrency` at a time. */
export async function runPool<T>(queue: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let active = 0;
  let failure: unknown;
  await new Promise<void>((resolve) => {
    const next = () => {
      if (failure !== undefined) {
        if (active === 0) resolve();
        return;
      }
      while (active < concurrency && queue.length) {
        const item = queue.shift()!;
        active++;
        work(item).then(
          () => {
            active--;
            next();
          },
          (err: unknown) => {
            active--;
            failure ??= err;
            next();
          },
        );
      }
      if (active === 0 && !queue.length) resolve();
    };
    next();
  });
  if (failure !== undefined) throw failure;
}

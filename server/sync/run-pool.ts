/**
 * Runs `work` over `items`, `concurrency` at a time. Work may hand in more items with `add`
 * (a backfill chain splitting off another): they start at once if a place is free.
 */
export async function runPool<T>(
  items: T[],
  concurrency: number,
  work: (item: T, add: (more: T[]) => void) => Promise<void>,
): Promise<void> {
  const queue = [...items];
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
        work(item, add).then(
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
    const add = (more: T[]) => {
      queue.push(...more);
      next();
    };
    next();
  });
  if (failure !== undefined) throw failure;
}

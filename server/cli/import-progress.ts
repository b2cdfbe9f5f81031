import cliProgress from 'cli-progress';
import { getConnection } from '../connections/connection-repository.js';
import type { Db } from '../db/database.js';
import { readNumber, readOptionalNumber } from '../db/rows.js';
import { latestRuns } from '../sync/backfill/backfill-repository.js';

const PLAIN_EVERY_MS = 5_000;

/**
 * Follows a connection's import from the database until it leaves connecting/backfilling (or
 * `stop()` says nothing can move it any more), showing it as `pi-stripe backfill` does: bars on
 * a terminal, a JSON line per change with --json, and otherwise a line every few seconds.
 */
export async function followImport(
  db: Db,
  connectionId: string,
  o: { json: boolean; out: (line: string) => void; stop: () => Promise<boolean> },
): Promise<void> {
  const interactive = !o.json && process.stdout.isTTY;
  const bars = interactive
    ? new cliProgress.MultiBar(
        { format: ' {resource} |{bar}| {value}/{total} objects', hideCursor: true, clearOnComplete: false },
        cliProgress.Presets.shades_classic,
      )
    : null;
  const bar = new Map<string, cliProgress.SingleBar>();
  const seen = new Map<string, string>();
  let printedAt = 0;
  try {
    for (;;) {
      const state = (await getConnection(db, connectionId))?.state;
      const runs = [...(await latestRuns(db, connectionId)).values()];
      for (const r of runs) {
        const total = Math.max(readOptionalNumber(r.estimatedTotal) ?? r.objects, r.objects, 1);
        if (bars) {
          if (!bar.has(r.resource)) bar.set(r.resource, bars.create(total, 0, { resource: r.resource.padEnd(22) }));
          bar.get(r.resource)!.setTotal(total);
          bar.get(r.resource)!.update(readNumber(r.objects));
        } else if (o.json && seen.get(r.resource) !== `${r.state}:${r.objects}`) {
          seen.set(r.resource, `${r.state}:${r.objects}`);
          o.out(
            JSON.stringify({
              type: 'progress',
              resource: r.resource,
              state: r.state,
              objects: r.objects,
              estimatedTotal: r.estimatedTotal,
            }),
          );
        }
      }
      if (!bars && !o.json && runs.length && Date.now() - printedAt >= PLAIN_EVERY_MS) {
        printedAt = Date.now();
        const objects = runs.reduce((n, r) => n + r.objects, 0);
        const done = runs.filter((r) => r.state === 'succeeded').length;
        o.out(`importing: ${objects} objects so far; ${done} of ${runs.length} resources done`);
      }
      if (!['connecting', 'backfilling'].includes(String(state)) || (await o.stop())) return;
      await new Promise((r) => setTimeout(r, o.json ? 1_000 : 300));
    }
  } finally {
    bars?.stop();
  }
}

import type { ResourceModule } from '../../resources/resource.js';
import { limitedCall } from '../../stripe/call-policy.js';
import { STRIPE_API_VERSION } from '../../stripe/client.js';
import { upsertObjects } from '../object-store.js';
import { runPool } from '../run-pool.js';
import { allSegments, type BackfillRun } from './backfill-repository.js';
import { PAGE_SIZE, type ResourceBackfillDeps } from './resource-backfill.js';
import type { Range } from './segment-plan.js';

export interface Verification {
  verified_at: string;
  expected: number;
  stored: number;
  missing_count: number;
  missing: string[];
  repaired: number;
}

const GROUP_OBJECTS = 10 * PAGE_SIZE;
const SAVE_EVERY_MS = 1000;

/** Adjacent finished segments merged into ranges of about ten pages, to list with few requests. */
function groups(segments: (Range & { objects: number })[]): Range[] {
  const sorted = [...segments].sort((a, b) => a.gte - b.gte);
  const out: (Range & { objects: number })[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && last.lt === s.gte && last.objects + s.objects <= GROUP_OBJECTS) {
      last.lt = s.lt;
      last.objects += s.objects;
    } else {
      out.push({ ...s });
    }
  }
  return out;
}

/**
 * What one range's verification has found so far, with the cursor of its next page: saved as it
 * goes, so a resumed verification continues where it stopped and never counts twice.
 */
interface RangeResult {
  expected: number;
  stored: number;
  missing: string[];
  repaired: number;
  cursor?: string;
  done: boolean;
}

/** Verification still in progress (`partial`): each range's result so far. */
interface PartialVerification {
  partial: true;
  ranges: Record<string, RangeResult>;
}

const rangeKey = (r: Range) => `${r.gte}-${r.lt}`;

async function savedRanges(deps: ResourceBackfillDeps, runId: number): Promise<Record<string, RangeResult>> {
  const row = await deps.db('backfill_runs').where({ id: runId }).first('verification');
  const saved = row?.verification ? (JSON.parse(String(row.verification)) as Partial<PartialVerification>) : null;
  return saved?.partial ? { ...saved.ranges } : {};
}

/**
 * After a run: lists every id Stripe has in the run's range (in parallel over the run's own
 * segments, merged into ranges of about ten pages) and checks each page's ids against what we
 * stored. Missing objects are fetched one by one and stored; the result names them, so the status
 * can say "verified" or show the gap. Progress is saved as pages go (once a second): an import stopped
 * mid-verification (a job slice ending, a killed worker) resumes where it was. Listing everything
 * again instead would never fit a slice for a large account sharing its rate budget.
 */
export async function verifyRun(deps: ResourceBackfillDeps, resource: ResourceModule, run: Pick<BackfillRun, 'id' | 'lt'>): Promise<Verification> {
  const segments = await allSegments(deps.db, run.id);
  const ranges = await savedRanges(deps, run.id);
  // Saved at most once a second (whatever the ranges hold by then): a large account's thousands of
  // pages must not each rewrite the whole record; a stop loses at most the last second.
  let saving = Promise.resolve();
  let savedAt = 0;
  const save = () => {
    if (Date.now() - savedAt < SAVE_EVERY_MS) return saving;
    savedAt = Date.now();
    saving = saving.then(async () => {
      await deps.db('backfill_runs').where({ id: run.id }).update({ verification: JSON.stringify({ partial: true, ranges } satisfies PartialVerification) });
    });
    return saving;
  };
  await runPool(groups(segments).filter((r) => !ranges[rangeKey(r)]?.done), deps.concurrency, async (range) => {
    const result: RangeResult = ranges[rangeKey(range)] ?? { expected: 0, stored: 0, missing: [], repaired: 0, done: false };
    for (;;) {
      const params = { limit: PAGE_SIZE, created: { gte: range.gte, lt: range.lt }, ...(result.cursor ? { starting_after: result.cursor } : {}) };
      const page = await limitedCall(deps.limiter, resource.name, () => resource.list(deps.client(), params), {
        signal: deps.signal, onRetry: deps.onRetry, refreshAuth: deps.refreshAuth, backoffBaseMs: deps.backoffBaseMs,
      });
      const ids = page.data.map((o) => o.id);
      const stored = ids.length ? await storedAmong(deps, resource, ids) : new Set<string>();
      const missing = ids.filter((id) => !stored.has(id));
      for (const id of missing) {
        const object = await limitedCall(deps.limiter, resource.name, () => resource.retrieve(deps.client(), id), {
          signal: deps.signal, refreshAuth: deps.refreshAuth, backoffBaseMs: deps.backoffBaseMs,
        });
        await upsertObjects(deps.db, resource, [object], {
          accountId: deps.accountId, livemode: deps.livemode, renderedAt: Math.floor(Date.now() / 1000), apiVersion: STRIPE_API_VERSION,
        });
      }
      result.expected += ids.length;
      result.stored += ids.length - missing.length;
      result.repaired += missing.length;
      result.missing = [...result.missing, ...missing].slice(0, 20);
      result.cursor = ids[ids.length - 1] ?? result.cursor;
      result.done = !page.has_more || !ids.length;
      ranges[rangeKey(range)] = result;
      await save();
      if (result.done) return;
    }
  });
  await saving;
  const results = Object.values(ranges);
  const sum = (k: 'expected' | 'stored' | 'repaired') => results.reduce((n, r) => n + r[k], 0);
  return {
    verified_at: new Date().toISOString(),
    expected: sum('expected'),
    stored: sum('stored'),
    missing_count: sum('repaired'),
    missing: results.flatMap((r) => r.missing).slice(0, 20),
    repaired: sum('repaired'),
  };
}

async function storedAmong(deps: ResourceBackfillDeps, resource: ResourceModule, ids: string[]): Promise<Set<string>> {
  const rows = await deps.db(resource.table).where({ account_id: deps.accountId }).whereIn('id', ids).select('id');
  return new Set(rows.map((r: { id: string }) => r.id));
}

import type { VerificationState } from '../../../shared/contracts/connection-status.js';
import type { ResourceModule } from '../../resources/resource.js';
import { STRIPE_API_VERSION } from '../../stripe/client.js';
import { idsCreatedIn, oldestCreated, storedAmong, upsertObjects } from '../object-store.js';
import { runPool } from '../run-pool.js';
import { addSegment, allSegments, openSegments, saveVerificationText, verificationOf, type BackfillRun } from './backfill-repository.js';
import { backfillCall, backfillResource, PAGE_SIZE, type ResourceBackfillDeps } from './resource-backfill.js';
import type { Range } from './segment-plan.js';

/** What verification found, saved on the run (`backfill_runs.verification`). */
export interface Verification {
  /** 3: what Stripe holds, what we had, what was missing and what is stored now, each counted. */
  version: 3;
  verified_at: string;
  /** Objects Stripe holds in the run's history (every id listed again, below and inside the range). */
  expected: number;
  /** Of those, how many were stored before verification looked. */
  stored: number;
  /** Objects Stripe holds that we lacked: below the oldest stored one and inside the range. */
  found_missing: number;
  /** Of those, how many are stored now (read back after the write, not assumed). */
  repaired: number;
  /** The first of them (for a person to look up). */
  repaired_ids: string[];
  /** `created[lt]=<oldest stored>&limit=1` asked this many times; the last answered nothing. */
  below: { probes: number; found: number };
}

const GROUP_OBJECTS = 10 * PAGE_SIZE;
const SAVE_EVERY_MS = 1000;
const MAX_IDS = 20;

/**
 * Segments merged into ranges to list with few requests: overlapping ones always (a repair below
 * the oldest stored object can overlap the run's first segment; listing both would count ids
 * twice), adjacent ones up to about ten pages.
 */
export function groups(segments: (Range & { objects: number })[]): Range[] {
  const sorted = [...segments].sort((a, b) => a.gte - b.gte || a.lt - b.lt);
  const out: (Range & { objects: number })[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.gte < last.lt) {
      last.lt = Math.max(last.lt, s.lt);
      last.objects += s.objects;
    } else if (last && last.lt === s.gte && last.objects + s.objects <= GROUP_OBJECTS) {
      last.lt = s.lt;
      last.objects += s.objects;
    } else {
      out.push({ ...s });
    }
  }
  return out;
}

/** One range's re-listing so far, with the cursor of its next page. */
interface RangeResult {
  listed: number;
  stored: number;
  repaired: string[];
  /** Found missing on this range's pages, and how many of them read back as stored. */
  missingCount?: number;
  repairedCount: number;
  cursor?: string;
  done: boolean;
}

/** Verification in progress (`partial`), saved as it goes so that a stopped one resumes. */
interface PartialVerification {
  partial: true;
  below: { probes: number; found: number; done: boolean; ids?: string[] };
  ranges: Record<string, RangeResult>;
}

const rangeKey = (r: Range) => `${r.gte}-${r.lt}`;

async function savedProgress(deps: ResourceBackfillDeps, runId: number): Promise<PartialVerification> {
  const text = await verificationOf(deps.db, runId);
  const saved = text ? (JSON.parse(text) as Partial<PartialVerification>) : null;
  return saved?.partial && saved.below
    ? { partial: true, below: { ...saved.below }, ranges: { ...saved.ranges } }
    : { partial: true, below: { probes: 0, found: 0, done: false }, ranges: {} };
}

/**
 * Checks a finished run against Stripe without trusting anything the import assumed:
 * 1. below: asks for one object older than the oldest stored (`created[lt]`, `limit=1`); while
 *    Stripe has one, imports everything below as a new chain of the run and asks again, so the
 *    history provably starts where the stored one does (or at the merchant's `history_since`);
 * 2. inside: lists every id of the run's range again (the run's segments merged into ranges of
 *    about ten pages, in parallel) and stores whatever a page holds that we lack.
 * Progress is saved as it goes (at most once a second), so a stopped verification resumes where
 * it was. Callers give it the background lane: it runs while the connection is already live.
 */
export async function verifyRun(deps: ResourceBackfillDeps, resource: ResourceModule, run: BackfillRun): Promise<Verification> {
  const progress = await savedProgress(deps, run.id);
  let saving = Promise.resolve();
  let savedAt = 0;
  const save = (force = false) => {
    if (!force && Date.now() - savedAt < SAVE_EVERY_MS) return saving;
    savedAt = Date.now();
    const record = JSON.stringify(progress);
    saving = saving.then(async () => {
      await saveVerificationText(deps.db, run.id, record);
    });
    return saving;
  };
  const floor = run.gte ?? 0;

  // A chain a stop left open (a repair below, or the import itself) finishes first.
  if ((await openSegments(deps.db, run.id)).length) await backfillResource(deps, resource, run);
  while (!progress.below.done) {
    const lt = (await oldestCreated(deps.db, resource, deps)) ?? run.lt;
    const page = lt > floor ? await verifyCall(deps, resource, { limit: 1, created: { gte: floor, lt } }) : { data: [] };
    progress.below.probes++;
    if (!page.data.length) {
      progress.below.done = true;
      await save(true);
      break;
    }
    const gap = await addSegment(deps.db, run.id, { gte: floor, lt });
    await save(true);
    await backfillResource(deps, resource, run);
    progress.below.found += (await allSegments(deps.db, run.id)).find((s) => s.id === gap.id)?.objects ?? 0;
    // Below the oldest stored object, everything stored now is what the gap brought.
    const found = await idsCreatedIn(deps.db, resource, deps, { gte: floor, lt }, MAX_IDS);
    progress.below.ids = [...(progress.below.ids ?? []), ...found].slice(0, MAX_IDS);
  }

  const ranges = groups(await allSegments(deps.db, run.id)).filter((r) => !progress.ranges[rangeKey(r)]?.done);
  await runPool(ranges, deps.concurrency, async (range) => {
    const result: RangeResult = progress.ranges[rangeKey(range)] ?? {
      listed: 0,
      stored: 0,
      repaired: [],
      missingCount: 0,
      repairedCount: 0,
      done: false,
    };
    progress.ranges[rangeKey(range)] = result;
    while (!result.done) {
      const page = await verifyCall(deps, resource, {
        limit: PAGE_SIZE,
        created: { gte: range.gte, lt: range.lt },
        ...(result.cursor ? { starting_after: result.cursor } : {}),
      });
      const stored = await storedAmong(
        deps.db,
        resource,
        deps,
        page.data.map((o) => o.id),
      );
      const missing = page.data.filter((o) => !stored.has(o.id));
      let repaired = new Set<string>();
      if (missing.length) {
        await upsertObjects(deps.db, resource, missing, {
          accountId: deps.accountId,
          livemode: deps.livemode,
          renderedAt: Math.floor(Date.now() / 1000),
          apiVersion: STRIPE_API_VERSION,
        });
        repaired = await storedAmong(
          deps.db,
          resource,
          deps,
          missing.map((o) => o.id),
        );
      }
      result.listed += page.data.length;
      result.stored += page.data.length - missing.length;
      result.missingCount = (result.missingCount ?? result.repairedCount) + missing.length;
      result.repairedCount += repaired.size;
      result.repaired = [...result.repaired, ...missing.filter((o) => repaired.has(o.id)).map((o) => o.id)].slice(0, MAX_IDS);
      result.cursor = page.data[page.data.length - 1]?.id ?? result.cursor;
      result.done = !page.has_more || !page.data.length;
      await save();
    }
  });
  await saving;
  const results = Object.values(progress.ranges);
  // A range saved by a verification before version 3 has no missingCount: all it found it stored.
  const sum = (k: 'listed' | 'stored' | 'missingCount' | 'repairedCount') => results.reduce((n, r) => n + (r[k] ?? r.repairedCount), 0);
  // Objects the repair below stored were listed again inside the range, as stored by then.
  const below = progress.below.found;
  return {
    version: 3,
    verified_at: new Date().toISOString(),
    expected: sum('listed'),
    stored: Math.max(0, sum('stored') - below),
    found_missing: sum('missingCount') + below,
    repaired: sum('repairedCount') + below,
    repaired_ids: [...(progress.below.ids ?? []), ...results.flatMap((r) => r.repaired)].slice(0, MAX_IDS),
    below: { probes: progress.below.probes, found: progress.below.found },
  };
}

function verifyCall(deps: ResourceBackfillDeps, resource: ResourceModule, params: Parameters<ResourceModule['list']>[1]) {
  return backfillCall(deps, resource, (stripe) => resource.list(stripe, params));
}

/** What a finished run's verification says, in the status contract's words. */
export interface VerificationSummary {
  state: VerificationState;
  expected: number | null;
  stored: number | null;
  foundMissing: number;
  repaired: number;
  verifiedAt: string | null;
}

/** The record before version 3 named its counts differently; all it found missing, it stored. */
interface VerificationV2 {
  version: 2;
  verified_at: string;
  listed: number;
  stored: number;
  repaired: number;
}

/**
 * Where a finished run's verification stands: not started (or done by the check before version 2,
 * which trusted the import's floor and is run again), in progress, or done, with what it found.
 */
export function readVerification(run: { verification: string | null }): VerificationSummary {
  const saved = run.verification
    ? (JSON.parse(run.verification) as (Partial<Verification> | Partial<VerificationV2>) & { partial?: boolean })
    : null;
  const pending = (state: VerificationState): VerificationSummary => ({
    state,
    expected: null,
    stored: null,
    foundMissing: 0,
    repaired: 0,
    verifiedAt: null,
  });
  if (saved?.partial) return pending('verifying');
  if (saved?.version === 3) {
    const v = saved as Verification;
    return {
      state: v.found_missing ? 'repaired' : 'verified',
      expected: v.expected,
      stored: v.stored,
      foundMissing: v.found_missing,
      repaired: v.repaired,
      verifiedAt: v.verified_at,
    };
  }
  if (saved?.version === 2) {
    const v = saved as VerificationV2;
    return {
      state: v.repaired ? 'repaired' : 'verified',
      expected: v.listed,
      stored: v.stored,
      foundMissing: v.repaired,
      repaired: v.repaired,
      verifiedAt: v.verified_at,
    };
  }
  return pending('waiting');
}
/** Verified by this version of the check (whether or not it had to repair something). */
export const isVerified = (run: { verification: string | null }) => ['verified', 'repaired'].includes(readVerification(run).state);

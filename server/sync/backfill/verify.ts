import type { ResourceModule } from '../../resources/resource.js';
import { limitedCall } from '../../stripe/call-policy.js';
import { STRIPE_API_VERSION } from '../../stripe/client.js';
import { storedIds, upsertObjects } from '../object-store.js';
import { allSegments, type BackfillRun } from './backfill-repository.js';
import { PAGE_SIZE, runPool, type ResourceBackfillDeps } from './resource-backfill.js';
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
 * After a run: lists every id Stripe has in the run's range (a pass over ids, in parallel over
 * the run's own segments) and compares with what we stored. Missing objects are fetched one by
 * one and stored; the result names them, so the status can say "verified" or show the gap.
 */
export async function verifyRun(deps: ResourceBackfillDeps, resource: ResourceModule, run: Pick<BackfillRun, 'id' | 'lt'>): Promise<Verification> {
  const segments = await allSegments(deps.db, run.id);
  const floor = Math.min(...segments.map((s) => s.gte));
  const atStripe = new Set<string>();
  await runPool(groups(segments), deps.concurrency, async (range) => {
    let cursor: string | undefined;
    for (;;) {
      const params = { limit: PAGE_SIZE, created: { gte: range.gte, lt: range.lt }, ...(cursor ? { starting_after: cursor } : {}) };
      const page = await limitedCall(deps.limiter, resource.name, () => resource.list(deps.client(), params), {
        signal: deps.signal, onRetry: deps.onRetry, refreshAuth: deps.refreshAuth, backoffBaseMs: deps.backoffBaseMs,
      });
      for (const o of page.data) atStripe.add(o.id);
      if (!page.has_more || !page.data.length) return;
      cursor = page.data[page.data.length - 1]!.id;
    }
  });
  const stored = await storedIds(deps.db, resource, deps.accountId, floor, run.lt);
  const missing = [...atStripe].filter((id) => !stored.has(id));
  let repaired = 0;
  for (const id of missing) {
    const object = await limitedCall(deps.limiter, resource.name, () => resource.retrieve(deps.client(), id), {
      signal: deps.signal, refreshAuth: deps.refreshAuth, backoffBaseMs: deps.backoffBaseMs,
    });
    await upsertObjects(deps.db, resource, [object], {
      accountId: deps.accountId, livemode: deps.livemode, renderedAt: Math.floor(Date.now() / 1000), apiVersion: STRIPE_API_VERSION,
    });
    repaired++;
  }
  return {
    verified_at: new Date().toISOString(),
    expected: atStripe.size,
    stored: [...atStripe].filter((id) => stored.has(id)).length,
    missing_count: missing.length,
    missing: missing.slice(0, 20),
    repaired,
  };
}

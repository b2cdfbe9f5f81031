import type Stripe from 'stripe';
import type { Db } from '../../db/database.js';
import type { ResourceModule } from '../../resources/resource.js';
import { limitedCall } from '../../stripe/call-policy.js';
import type { AccountRateLimiter } from '../../stripe/rate-limiter.js';
import { STRIPE_API_VERSION } from '../../stripe/client.js';
import { upsertObjects } from '../object-store.js';
import { runPool } from '../run-pool.js';
import { checkpoint, openSegments, runCounters, type BackfillRun, type Segment } from './backfill-repository.js';
import { splitOlder } from './segment-plan.js';

export const PAGE_SIZE = 100;

export interface Progress {
  resource: string;
  objects: number;
  pages: number;
  estimatedTotal: number | null;
  requests: number;
}

export interface ResourceBackfillDeps {
  db: Db;
  /** The connection's current client (replaced when its token is refreshed). */
  client: () => Stripe;
  refreshAuth?: () => Promise<void>;
  backoffBaseMs?: number;
  limiter: AccountRateLimiter;
  accountId: string;
  livemode: boolean;
  concurrency: number;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  onRetry?: (err: unknown) => void;
}

/**
 * Imports one resource for one run: segments of the frozen `created` range are fetched in
 * parallel, newest first; while there are fewer segments than workers, a segment with more
 * behind its page splits the part older than that page into children; every page is written
 * with its checkpoint in one transaction, so a killed process resumes from the last committed
 * cursor of each segment.
 */
export async function backfillResource(deps: ResourceBackfillDeps, resource: ResourceModule, run: BackfillRun): Promise<void> {
  const queue: Segment[] = await openSegments(deps.db, run.id);
  const counters = await runCounters(deps.db, run.id);
  let { objects, pages } = counters;
  let requests = 0;
  // Objects still expected in segments split off but not fetched: the estimate behind the ETA.
  const remaining = new Map<number, number>();
  const estimate = (extra: number) => {
    let rest = extra;
    for (const v of remaining.values()) rest += v;
    return Math.max(objects, Math.round(objects + rest));
  };

  const fetchSegment = async (segment: Segment) => {
    let current = segment;
    for (;;) {
      deps.signal?.throwIfAborted();
      const params = { limit: PAGE_SIZE, created: { gte: current.gte, lt: current.lt }, ...(current.cursor ? { starting_after: current.cursor } : {}) };
      const page = await limitedCall(deps.limiter, resource.name, () => resource.list(deps.client(), params), {
        signal: deps.signal, onRetry: deps.onRetry, refreshAuth: deps.refreshAuth, backoffBaseMs: deps.backoffBaseMs,
      });
      requests++;
      const renderedAt = Math.floor(Date.now() / 1000);
      const last = page.data[page.data.length - 1];
      // Split only while workers would otherwise idle: every split leaves a partial last page,
      // so needless splits cost requests. Whatever is older than this page can be split off.
      const split = page.has_more && page.data.length && queue.length < deps.concurrency
        ? splitOlder(current, page.data)
        : { keep: { gte: current.gte, lt: current.lt }, children: [] };
      const cursor = page.has_more && last ? last.id : null;
      remaining.delete(current.id);
      const childEstimate = split.children.reduce((sum, c) => sum + c.estimate, 0);
      const estimatedTotal = estimate(page.data.length + childEstimate);
      const children = await deps.db.transaction(async (trx) => {
        await upsertObjects(trx, resource, page.data, {
          accountId: deps.accountId, livemode: deps.livemode, renderedAt, apiVersion: STRIPE_API_VERSION,
        });
        return checkpoint(trx, run, current, { count: page.data.length, cursor, keep: split.keep, children: split.children, estimatedTotal });
      });
      children.forEach((child, i) => remaining.set(child.id, split.children[i]!.estimate));
      queue.push(...children);
      objects += page.data.length;
      pages++;
      deps.onProgress?.({ resource: resource.name, objects, pages, estimatedTotal: Math.max(estimatedTotal, objects), requests });
      if (!cursor) return;
      current = { ...current, ...split.keep, cursor, objects: current.objects + page.data.length, pages: current.pages + 1 };
    }
  };

  await runPool(queue, deps.concurrency, fetchSegment);
}

import type Stripe from 'stripe';
import type { Db } from '../../db/database.js';
import type { ResourceModule } from '../../resources/resource.js';
import { limitedCall } from '../../stripe/call-policy.js';
import type { AccountRateLimiter, Lane } from '../../stripe/rate-limiter.js';
import { STRIPE_API_VERSION } from '../../stripe/client.js';
import { upsertObjects } from '../object-store.js';
import { runPool } from '../run-pool.js';
import { allSegments, checkpoint, runCounters, type BackfillRun, type Segment } from './backfill-repository.js';
import { PAGES_BEFORE_SPLIT, splitBelow } from './segment-plan.js';

export const PAGE_SIZE = 100;

export interface Progress {
  resource: string;
  objects: number;
  pages: number;
  /** null while the oldest part of the history has not been reached (nothing else bounds it). */
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
  /** Most chains of one resource fetching at once. */
  concurrency: number;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  onRetry?: (err: unknown) => void;
  /** `background` for verification and its repairs (a share of the budget, live sync keeps the rest). */
  lane?: Lane;
  /** Every list or retrieve attempt sent to Stripe (the benchmark counts import and verification apart). */
  onRequest?: () => void;
}

/** One Stripe call of a backfill or verification under the connection's limiter and retry policy. */
export function backfillCall<T>(deps: ResourceBackfillDeps, resource: ResourceModule, fn: (stripe: Stripe) => Promise<T>): Promise<T> {
  return limitedCall(deps.limiter, resource.name, () => fn(deps.client()), {
    signal: deps.signal,
    onRetry: deps.onRetry,
    refreshAuth: deps.refreshAuth,
    backoffBaseMs: deps.backoffBaseMs,
    lane: deps.lane,
    onAttempt: deps.onRequest,
  });
}

/** What one chain has seen in this process: the newest `created` of its pages and how many it fetched. */
interface Seen {
  newest: number | null;
  pages: number;
}

/**
 * Imports one resource for one run: the run's open segments ("chains") walk their `created`
 * ranges newest first with a cursor, in parallel; the oldest reaches down to the run's floor,
 * which assumes nothing about where history starts (see `splitBelow`). While the rate budget has
 * room, a chain hands the part below it to a new chain. Every page is written with its checkpoint
 * in one transaction, so a killed process resumes from the last committed cursor of each chain.
 */
export async function backfillResource(deps: ResourceBackfillDeps, resource: ResourceModule, run: BackfillRun): Promise<void> {
  const segments = await allSegments(deps.db, run.id);
  if (!segments.length) return;
  // The oldest chain's lower end is the floor: below it nothing is listed at all.
  const floor = Math.min(...segments.map((s) => s.gte));
  const queue = segments.filter((s) => !s.done);
  let { objects, pages } = await runCounters(deps.db, run.id);
  let requests = 0;
  let open = queue.length;
  // Objects each open chain still expects (Infinity: the oldest chain, whose end nobody knows).
  const expected = new Map<number, number>(queue.map((s) => [s.id, s.gte === floor ? Infinity : NaN]));
  const estimate = (): number | null => {
    let rest = 0;
    for (const v of expected.values()) {
      if (v === Infinity) return null;
      rest += Number.isNaN(v) ? 0 : v;
    }
    return Math.round(objects + rest);
  };

  const fetchSegment = async (segment: Segment, add: (more: Segment[]) => void) => {
    let current = segment;
    const seen: Seen = { newest: null, pages: 0 };
    for (;;) {
      deps.signal?.throwIfAborted();
      const params = {
        limit: PAGE_SIZE,
        created: { gte: current.gte, lt: current.lt },
        ...(current.cursor ? { starting_after: current.cursor } : {}),
      };
      const page = await backfillCall(deps, resource, (stripe) => resource.list(stripe, params));
      requests++;
      const renderedAt = Math.floor(Date.now() / 1000);
      const last = page.data[page.data.length - 1];
      const cursor = page.has_more && last ? last.id : null;
      if (page.data.length) {
        seen.newest ??= page.data[0]!.created;
        seen.pages++;
      }
      // What a page spans here: the chain's average, or its last page's if wider (going back in
      // time, most histories thin out, and the split should land where the data is, not short of it).
      const secondsPerPage =
        last && seen.newest !== null
          ? Math.max(
              (seen.newest - last.created + 1) / seen.pages,
              page.data.length === PAGE_SIZE ? page.data[0]!.created - last.created + 1 : 0,
            )
          : 1;
      const split =
        cursor && last && seen.pages >= PAGES_BEFORE_SPLIT && open < deps.concurrency && !deps.limiter.busy(resource.name)
          ? splitBelow(current, last.created, { floor, secondsPerPage })
          : null;
      const keep = split?.keep ?? { gte: current.gte, lt: current.lt };
      const density = PAGE_SIZE / secondsPerPage;
      if (cursor && last) expected.set(current.id, current.gte === floor && !split ? Infinity : (last.created - keep.gte) * density);
      else expected.delete(current.id);
      const childExpected = split ? (split.child.gte === floor ? Infinity : (split.child.lt - split.child.gte) * density) : 0;
      objects += page.data.length;
      pages++;
      const known = estimate();
      const estimatedTotal = known === null || childExpected === Infinity ? null : known + childExpected;
      const children = await deps.db.transaction(async (trx) => {
        await upsertObjects(trx, resource, page.data, {
          accountId: deps.accountId,
          livemode: deps.livemode,
          renderedAt,
          apiVersion: STRIPE_API_VERSION,
        });
        return checkpoint(trx, run, current, {
          count: page.data.length,
          cursor,
          keep,
          children: split ? [split.child] : [],
          estimatedTotal,
        });
      });
      for (const child of children) expected.set(child.id, childExpected);
      open += children.length;
      add(children);
      deps.onProgress?.({ resource: resource.name, objects, pages, estimatedTotal, requests });
      if (!cursor) {
        open--;
        return;
      }
      current = { ...current, ...keep, cursor, objects: current.objects + page.data.length, pages: current.pages + 1 };
    }
  };

  await runPool(queue, deps.concurrency, fetchSegment);
}

import Stripe from 'stripe';
import type { Connection } from '../connections/connection-repository.js';
import type { Db } from '../db/database.js';
import { balanceTransactions } from '../resources/balance-transactions.js';
import { payouts } from '../resources/payouts.js';
import { resourceByName } from '../resources/registry.js';
import type { ResourceModule } from '../resources/resource.js';
import { limitedCall } from '../stripe/call-policy.js';
import { STRIPE_API_VERSION } from '../stripe/client.js';
import { versionHandling } from '../stripe/api-versions.js';
import type { AccountRateLimiter, Lane } from '../stripe/rate-limiter.js';
import { markSettled, storedAmong, storedRenderedAt, upsertObjects } from '../sync/object-store.js';
import { applyDeauthorization } from './app-lifecycle.js';
import type { EventSource } from './inbox.js';
import { INBOX_ONLY_PREFIXES, resourceForEvent } from './object-events.js';

/** What processing needs for one connection: its database, a client and its rate limiter. */
export interface EventScope {
  db: Db;
  connection: Connection;
  client: () => Stripe;
  refreshAuth: () => Promise<void>;
  limiter: AccountRateLimiter;
  /** Our app's client ids: lifecycle events naming another application are not ours. */
  appClientIds: string[];
  /** Called for `account.application.deauthorized`. */
  disconnect: (connectionId: string, reason: string) => Promise<void>;
  /** Told when an object is stored as an older API version rendered it (to refresh it later). */
  onOtherVersionStored?: () => void;
  /** The reports pipeline: report runs that finished, and new data to report on. */
  reports?: {
    /** A run named by an event: looked up within this connection, fetched with its credentials. */
    runFinished: (run: Stripe.Reporting.ReportRun) => Promise<void>;
    dataAvailable: (connectionId: string) => Promise<void>;
  };
}

export type Outcome = { status: 'processed' | 'ignored'; note: string };

const now = () => Math.floor(Date.now() / 1000);

type Handler = (scope: EventScope, event: Stripe.Event, source: EventSource) => Promise<Outcome>;

const runFinished: Handler = async (scope, event) => {
  await scope.reports?.runFinished(event.data.object as Stripe.Reporting.ReportRun);
  return { status: 'processed', note: 'report run settled' };
};

/** Events about no object of ours: the app's lifecycle and the reports pipeline. */
const EVENT_HANDLERS: Record<string, Handler> = {
  'account.application.deauthorized': applyDeauthorization,
  'account.application.authorized': async () => ({ status: 'processed', note: 'install recorded' }),
  'reporting.report_run.succeeded': runFinished,
  'reporting.report_run.failed': runFinished,
  'reporting.report_type.updated': async (scope) => {
    await scope.reports?.dataAvailable(scope.connection.id);
    return { status: 'processed', note: 'new report data scheduled' };
  },
};

/**
 * The one place every event is applied, whatever brought it (poller, app webhook, merchant
 * webhook). Object events go through the resource registry with "newer wins"; ties, and payloads
 * in a version where a stored field differs (api-versions.ts), are settled by fetching the object.
 */
export async function processEvent(scope: EventScope, event: Stripe.Event, source: EventSource): Promise<Outcome> {
  if (Object.hasOwn(EVENT_HANDLERS, event.type)) return EVENT_HANDLERS[event.type]!(scope, event, source);
  const resource = resourceForEvent(event.type);
  if (!resource) {
    const forReports = INBOX_ONLY_PREFIXES.some((p) => event.type.startsWith(p));
    return {
      status: forReports ? 'processed' : 'ignored',
      note: forReports ? 'kept for the reports pipeline' : 'event type we do not handle',
    };
  }
  const object = event.data.object as unknown as { id: string; created: number };
  const note = await applySnapshot(scope, resource, object, event);
  await fetchMissingLinks(scope, resource, object);
  // What a payout settled is never taken from an event's word: the payout is fetched first.
  if (event.type === 'payout.paid' || event.type === 'payout.reconciliation_completed') {
    const payout = await refetch(scope, payouts, object.id).catch((err: unknown) => {
      if (err instanceof Stripe.errors.StripeInvalidRequestError && err.statusCode === 404) return null;
      throw err;
    });
    if (!payout) return { status: 'processed', note: `${note}; Stripe knows no payout ${object.id}, so nothing was settled` };
    await settle(scope, payout as Stripe.Payout);
  }
  return { status: 'processed', note };
}

async function applySnapshot(
  scope: EventScope,
  resource: ResourceModule,
  object: { id: string; created: number },
  event: Stripe.Event,
): Promise<string> {
  const { db, connection } = scope;
  const storedAt = (await storedRenderedAt(db, resource, connection, object.id)) ?? -1;
  if (event.created < storedAt) return 'older than what we have; skipped';
  const version = versionHandling(resource.objectType, event.api_version);
  if (event.created === storedAt || version === 'fetch_now') {
    // Same second as the stored snapshot (which came first is unknowable), or a payload in a version
    // where a field we store meant something else: ask Stripe for the object as it is now.
    await refetch(scope, resource, object.id);
    return version === 'fetch_now' ? `rendered in ${event.api_version}; fetched in ours` : 'same-second tie; fetched the current object';
  }
  // An older version whose differences do not touch what we store: stored as sent, marked with its
  // version, and fetched again in ours later, a batch at a time (version-refresh.ts).
  await upsertObjects(db, resource, [object], {
    accountId: connection.accountId,
    livemode: connection.livemode,
    renderedAt: event.created,
    apiVersion: event.api_version ?? STRIPE_API_VERSION,
    sourceEventId: event.id,
  });
  if (version !== 'store_then_refresh') return 'applied';
  scope.onOtherVersionStored?.();
  return `applied as rendered in ${event.api_version}; refreshed later`;
}

/** Fetches the object with the connection's credentials and stores it; returns it as fetched. */
export async function refetch(scope: EventScope, resource: ResourceModule, id: string, lane?: Lane): Promise<{ id: string }> {
  const object = await limitedCall(scope.limiter, resource.name, () => resource.retrieve(scope.client(), id), {
    refreshAuth: scope.refreshAuth,
    lane,
  });
  await upsertObjects(scope.db, resource, [object], {
    accountId: scope.connection.accountId,
    livemode: scope.connection.livemode,
    renderedAt: now(),
    apiVersion: STRIPE_API_VERSION,
  });
  return object;
}

/**
 * Event payloads are not expanded: a refund may point to a charge we have not seen yet. And
 * balance transactions have no events of their own: the one a charge, refund or payout points to
 * (and a dispute's withdrawals) is fetched when first referenced, so fees are complete before any
 * payout settles them. What each resource points to is declared in its module (`links`).
 */
async function fetchMissingLinks(scope: EventScope, resource: ResourceModule, object: { id: string }): Promise<void> {
  for (const link of resource.links) {
    const parent = resourceByName(link.resource)!;
    const value = (object as unknown as Record<string, unknown>)[link.field];
    for (const ref of Array.isArray(value) ? value : [value]) {
      const id = typeof ref === 'string' ? ref : (ref as { id?: string } | null | undefined)?.id;
      if (!id) continue;
      if ((await storedAmong(scope.db, parent, scope.connection, [id])).size) continue;
      try {
        await refetch(scope, parent, id);
      } catch (err) {
        // A parent Stripe cannot show us (another account's, or gone) is not this event's failure.
        if (!(err instanceof Stripe.errors.StripeInvalidRequestError && err.statusCode === 404)) throw err;
      }
    }
  }
}

/**
 * A paid (or reconciled) payout and what it settled. Stripe lists the transactions of automatic
 * payouts only (`?payout=` is refused for a manual one, which settles nothing but itself): a manual
 * payout's own transaction (fetched with the payout's links) is marked as its own.
 */
async function settle(scope: EventScope, payout: Stripe.Payout): Promise<void> {
  if (payout.automatic !== false) return fetchSettlement(scope, payout.id);
  const own = typeof payout.balance_transaction === 'string' ? payout.balance_transaction : payout.balance_transaction?.id;
  if (own) await markSettled(scope.db, balanceTransactions, scope.connection, [own], payout.id);
}

/** An automatic payout: store what it settled, with the payout it belongs to. */
async function fetchSettlement(scope: EventScope, payoutId: string): Promise<void> {
  let startingAfter: string | undefined;
  for (;;) {
    const page = await limitedCall(
      scope.limiter,
      balanceTransactions.name,
      () =>
        scope.client().balanceTransactions.list({
          payout: payoutId,
          limit: 100,
          ...(startingAfter ? { starting_after: startingAfter } : {}),
        }),
      { refreshAuth: scope.refreshAuth },
    );
    await upsertObjects(scope.db, balanceTransactions, page.data, {
      accountId: scope.connection.accountId,
      livemode: scope.connection.livemode,
      renderedAt: now(),
      apiVersion: STRIPE_API_VERSION,
    });
    await markSettled(
      scope.db,
      balanceTransactions,
      scope.connection,
      page.data.map((t) => t.id),
      payoutId,
    );
    if (!page.has_more || !page.data.length) return;
    startingAfter = page.data[page.data.length - 1]!.id;
  }
}

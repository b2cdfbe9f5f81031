import Stripe from 'stripe';
import { RESOURCES } from '../resources/registry.js';
import { STRIPE_API_VERSION } from '../stripe/client.js';
import { idsInOtherVersion, keepRendering } from '../sync/object-store.js';
import { refetch, type EventScope } from './process-event.js';

/** At most this many objects are fetched again per round (job `events.refresh_versions`). */
export const REFRESH_BATCH = 25;

/**
 * Objects stored as an event rendered them in an older API version (whose differences do not touch
 * our columns, api-versions.ts) are fetched again in ours: lazily, at most REFRESH_BATCH a round,
 * newest first, on the background lane (held to BACKGROUND_SHARE of the account's budget, so live
 * sync keeps the rest). Returns how many were fetched.
 */
export async function refreshOtherVersions(scope: EventScope, batch = REFRESH_BATCH): Promise<number> {
  const { db, connection } = scope;
  let fetched = 0;
  for (const resource of RESOURCES) {
    if (fetched >= batch) break;
    const ids = await idsInOtherVersion(db, resource, connection, STRIPE_API_VERSION, batch - fetched);
    for (const id of ids) {
      try {
        await refetch(scope, resource, id, 'background');
      } catch (err) {
        // Gone at Stripe (or never ours to read): keep the stored rendering rather than loop on it.
        if (!(err instanceof Stripe.errors.StripeInvalidRequestError && err.statusCode === 404)) throw err;
        await keepRendering(db, resource, connection, id);
      }
      fetched++;
    }
  }
  return fetched;
}

import Stripe from 'stripe';
import { recordNote } from '../connections/connection-repository.js';
import { limitedCall } from '../stripe/call-policy.js';
import type { EventSource } from './inbox.js';
import type { EventScope, Outcome } from './process-event.js';

/**
 * Our clock and Stripe's are not the same clock: a deauthorization within this much of the current
 * install is ordered by asking Stripe whether the tokens still work, not by timestamps.
 */
const LIFECYCLE_CLOCK_SKEW_MS = 5_000;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * `account.application.deauthorized`: the uninstall it reports is applied only if it came to the
 * app endpoint, names our application, is not older than the install (or reauthorization) the
 * connection has now, and Stripe refuses the connection's tokens. Events arrive late and out of
 * order: an uninstall from before a reinstall is recorded, not applied. (Without an app endpoint,
 * the token manager notices the uninstall when Stripe refuses the refresh token.)
 */
export async function applyDeauthorization(scope: EventScope, event: Stripe.Event, source: EventSource): Promise<Outcome> {
  const { connection } = scope;
  const eventMs = event.created * 1000;
  const notApplied = async (why: string) => {
    await recordNote(scope.db, connection.id, `uninstall event ${event.id} of ${iso(eventMs)} not applied: ${why}`);
    return { status: 'processed' as const, note: `not applied: ${why}` };
  };
  // Stripe sends lifecycle events to the application's own endpoint only: one arriving at a
  // merchant's endpoint is signed with the merchant's secret, which proves nothing about the app.
  if (source !== 'app_webhook') return notApplied(`it came by ${source.replace('_', ' ')}; uninstalls count only from the app endpoint`);
  const application = (event.data.object as { id?: unknown }).id;
  if (typeof application !== 'string' || !scope.appClientIds.includes(application))
    return notApplied(`it names application ${String(application)}, not ours`);
  if (connection.authKind !== 'oauth') return notApplied('this connection uses an API key, which uninstalling the app does not revoke');
  const installedAt = connection.authorizedAt;
  if (installedAt !== null && eventMs < installedAt - LIFECYCLE_CLOCK_SKEW_MS) {
    return notApplied(`the app was installed again at ${iso(installedAt)}, after it`);
  }
  // Whatever the timestamps say, Stripe has the last word: tokens it still accepts were not revoked.
  if (await tokensWork(scope)) {
    return notApplied(
      installedAt !== null && eventMs <= installedAt + LIFECYCLE_CLOCK_SKEW_MS
        ? `it is as old as the install of ${iso(installedAt)}, and Stripe still accepts that install's tokens`
        : "Stripe still accepts the connection's tokens, so the app was not uninstalled",
    );
  }
  await scope.disconnect(connection.id, 'the merchant uninstalled the app (account.application.deauthorized); tokens deleted');
  return { status: 'processed', note: 'disconnected' };
}

/** True when Stripe answers the connection's credentials (refreshed if they expired). */
async function tokensWork(scope: EventScope): Promise<boolean> {
  try {
    await limitedCall(scope.limiter, 'account', () => scope.client().accounts.retrieveCurrent(), { refreshAuth: scope.refreshAuth });
    return true;
  } catch (err) {
    if (err instanceof Stripe.errors.StripeAuthenticationError || err instanceof Stripe.errors.StripePermissionError) return false;
    if (
      ['reauthorization_required', 'disconnected'].includes(String((err as { code?: string }).code)) ||
      /no usable credentials/.test((err as Error).message)
    )
      return false;
    throw err;
  }
}

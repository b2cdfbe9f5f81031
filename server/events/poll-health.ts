import Stripe from 'stripe';
import { transition, updateConnection, type Connection } from '../connections/connection-repository.js';
import type { Db } from '../db/database.js';
import { AppError } from '../errors.js';
import { storedError } from '../logging/redact.js';
import { saveWatermark, watermarkOf } from './watermark-store.js';

/** Polls failing this long make the connection `degraded` ("events delayed"), not later. */
export const DELAYED_AFTER_MS = 45_000;
/** After a failed poll, the next one comes this soon (not after the poll claim's minute). */
const FAILED_POLL_RETRY_MS = 10_000;
/** How a state reason set by failing polls begins: only such a degraded state is lifted by a good poll. */
export const DELAYED_REASON = 'events delayed: polls of Stripe have failed since';

const iso = (ms: number) => new Date(ms).toISOString();

/** What went wrong with a poll, in one line fit for support staff (credentials scrubbed). */
function pollErrorText(err: unknown): string {
  if (err instanceof Stripe.errors.StripeRateLimitError) return `Stripe answered 429 (rate limited): ${err.message}`;
  if (err instanceof Stripe.errors.StripeConnectionError) return `no answer from Stripe (network): ${err.message}`;
  if (err instanceof Stripe.errors.StripeError) return `Stripe answered ${err.statusCode ?? 'an error'} (${err.type}): ${err.message}`;
  return (err as Error)?.message ?? String(err);
}

/** Errors that are this connection's credentials, not a delay: they have states of their own. */
const isCredentialError = (err: unknown) =>
  err instanceof AppError || err instanceof Stripe.errors.StripeAuthenticationError || err instanceof Stripe.errors.StripePermissionError;

/**
 * A poll failed: remember since when and why, poll again soon, and once polls have failed for
 * `delayedAfterMs` say so in the state (`degraded`, "events delayed"), with the last good poll.
 */
export async function recordFailedPoll(db: Db, connection: Connection, err: unknown, delayedAfterMs = DELAYED_AFTER_MS): Promise<void> {
  if (isCredentialError(err)) return;
  const now = Date.now();
  const mark = await watermarkOf(db, connection.id);
  const since = mark?.poll_failing_since ? Number(mark.poll_failing_since) : now;
  const message = storedError(pollErrorText(err));
  const fields = {
    poll_failing_since: since,
    last_poll_error: message,
    last_poll_error_at: now,
    last_checked_at: now,
    next_poll_at: now + FAILED_POLL_RETRY_MS,
    updated_at: now,
  };
  await saveWatermark(db, connection.id, fields, { watermark: Math.floor(connection.createdAt / 1000) });
  await updateConnection(db, connection.id, { last_error: `event poll: ${message}`, last_error_at: now });
  if (connection.state === 'live' && now - since >= delayedAfterMs) {
    const good = mark?.last_polled_at ? `last good poll ${iso(Number(mark.last_polled_at))}` : 'no good poll yet';
    await transition(db, connection.id, 'degraded', `${DELAYED_REASON} ${iso(since)} (${message}); ${good}; retrying`);
  }
}

/** What a good poll writes to its watermark row beside its own fields: no failure any more. */
export const NO_POLL_FAILURE = { poll_failing_since: null, last_poll_error: null, last_poll_error_at: null } as const;

/** A poll worked: lift a degraded state that failing polls had set (the row's fields: NO_POLL_FAILURE). */
export async function recordGoodPoll(db: Db, connection: Connection): Promise<void> {
  if (connection.state === 'degraded' && connection.stateReason?.startsWith(DELAYED_REASON)) {
    await transition(db, connection.id, 'live', 'events flow again: polls of Stripe work');
  }
}

import type Stripe from 'stripe';
import type { ConnectionService } from '../connections/connection-service.js';
import type { ConnectionStripe } from '../connections/connection-stripe.js';
import { findByAccount, getConnection, transition, updateConnection, type Connection } from '../connections/connection-repository.js';
import type { Db } from '../db/database.js';
import type { Jobs } from '../jobs/jobs.js';
import type { Logger } from '../logging/logger.js';
import type { RateLimiters } from '../stripe/rate-limiter.js';
import type { ReportService } from '../reports/report-service.js';
import type { ImportService } from '../sync/import-service.js';
import { runPool } from '../sync/run-pool.js';
import { ACTIVE_STATES } from '../../shared/connection-states.js';
import { eventLanes } from './event-lanes.js';
import {
  deadLetterEvent,
  markEvent,
  markEvents,
  pendingEvents,
  recordFailedAttempt,
  storedEventIds,
  type EventSource,
  type InboxEvent,
} from './inbox.js';
import { saveWatermark, watermarkOf } from './watermark-store.js';
import { checkEvent } from './event-schema.js';
import { InboxWriter } from './inbox-writer.js';
import { processEvent, type EventScope } from './process-event.js';
import { REFRESH_BATCH, refreshOtherVersions } from './version-refresh.js';
import { NO_POLL_FAILURE, recordFailedPoll, recordGoodPoll } from './poll-health.js';

const RETENTION_SECONDS = 30 * 86400;
/** Re-read this much before the watermark: events show up in the list late. */
const OVERLAP_SECONDS = 300;
/** Do not read the last seconds at all: the list is eventually consistent. */
const LAG_SECONDS = 5;
/** Adaptive polling: a connection whose last poll found events is polled again after the minimum;
 *  each empty poll stretches its interval by half, up to the maximum. */
const POLL_MIN_MS = 2_000;
const POLL_MAX_MS = 15_000;
const MAX_ATTEMPTS = 5;
/** A poll tries a few times, then gives up until its next turn (poll-health.ts marks the failure). */
const POLL_ATTEMPTS = 3;
const PENDING_BATCH = 200;
/** Different objects' events are applied this many at a time: one at a time, each event that needs
 *  a fetch waits a Stripe round trip, and a busy merchant outruns live sync at about 3 payments a
 *  second (`bench/live-sync.ts`). */
const EVENT_LANES = 16;

/**
 * Events from every source converge here: `ingest` stores them in the inbox (and queues their
 * processing), `processPending` applies them through `processEvent`, `poll` reads a connection's
 * events from Stripe with no webhook set up.
 */
export class EventService {
  constructor(
    private readonly deps: {
      db: Db;
      stripe: ConnectionStripe;
      limiters: RateLimiters;
      connections: ConnectionService;
      imports: ImportService;
      reports: ReportService;
      jobs: Jobs;
      logger: Logger;
      /** Our app's client ids (`ca_…`): only an uninstall naming one of them is ours. */
      appClientIds: string[];
      /** Overrides of LAG_SECONDS and OVERLAP_SECONDS (tests shorten the lag). */
      lagSeconds?: number;
      overlapSeconds?: number;
      /** Overrides of POLL_MIN_MS and POLL_MAX_MS. */
      pollMinMs?: number;
      pollMaxMs?: number;
      /** Override of EVENT_LANES. */
      lanes?: number;
      /** Override of DELAYED_AFTER_MS (poll-health.ts). */
      delayedAfterMs?: number;
      /** First retry backoff step of a poll's call (tests shorten it). */
      backoffBaseMs?: number;
      /** Sees how far behind Stripe each newly stored event arrived (seconds). */
      onEventLag?: (seconds: number) => void;
    },
  ) {
    this.writer = new InboxWriter(deps.db);
  }

  private readonly writer: InboxWriter;

  /** Stores an event; unless the caller queues processing itself (`process: false`), queues it. */
  async ingest(
    accountId: string,
    event: Stripe.Event,
    source: EventSource,
    rawPayload?: string,
    options: { process?: boolean } = {},
  ): Promise<{ duplicate: boolean }> {
    const result = await this.writer.write(accountId, event, source, rawPayload);
    if (!result.duplicate) {
      this.deps.onEventLag?.(Math.max(0, Date.now() / 1000 - event.created));
      if (options.process !== false) await this.deps.jobs.enqueue('events.process', { accountId }, { key: accountId });
    }
    return result;
  }

  /** Applies the account's pending events; queues a version refresh if any was stored as an older version rendered it. */
  async processPending(accountId: string): Promise<number> {
    const { db, logger } = this.deps;
    const scopes = new Map<string, Promise<EventScope | null>>();
    let otherVersions = false;
    // A failing event is retried in a later round; it must not hold back the events after it
    // (a deauthorization queued behind a report whose download now fails, say).
    const failed: number[] = [];
    let processed = 0;
    for (;;) {
      const batch = await pendingEvents(db, accountId, PENDING_BATCH, failed);
      if (!batch.length) {
        if (otherVersions) await this.deps.jobs.enqueue('events.refresh_versions', { accountId }, { key: accountId });
        return processed;
      }
      const done: number[] = [];
      const orphans: number[] = [];
      const apply = async ({ id, event, source }: InboxEvent) => {
        const key = String(event.livemode);
        if (!scopes.has(key))
          scopes.set(
            key,
            this.scope(accountId, event.livemode).then((s) => s && { ...s, onOtherVersionStored: () => void (otherVersions = true) }),
          );
        const scope = await scopes.get(key)!;
        if (!scope) return void orphans.push(id);
        try {
          const outcome = await processEvent(scope, event, source);
          if (outcome.status === 'processed') done.push(id);
          else await markEvent(db, id, outcome.status, outcome.note);
          processed++;
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          await recordFailedAttempt(db, id, message, MAX_ATTEMPTS);
          await updateConnection(db, scope.connection.id, {
            last_error: `event ${event.id} (${event.type}): ${message}`,
            last_error_at: Date.now(),
          });
          logger.warn({ err, eventId: event.id }, 'event processing failed');
          failed.push(id);
          // The connection may have changed (disconnected by the event that failed): look it up again.
          scopes.delete(key);
        }
      };
      for (const lanes of eventLanes(batch)) {
        await runPool(lanes, this.deps.lanes ?? EVENT_LANES, async (lane) => {
          for (const item of lane) await apply(item);
        });
      }
      await markEvents(db, done, 'processed');
      await markEvents(db, orphans, 'ignored', 'no usable connection for this account and mode');
    }
  }

  /**
   * Job `events.refresh_versions`: one bounded batch of the account's objects stored in an older
   * API version is fetched again in ours (version-refresh.ts); while more remain, the job queues
   * itself again. Queued only when processing stored such a payload, so no round scans for them.
   */
  async refreshVersions(accountId: string): Promise<number> {
    let fetched = 0;
    for (const livemode of [false, true]) {
      const scope = await this.scope(accountId, livemode);
      if (!scope) continue;
      const n = await refreshOtherVersions(scope);
      fetched += n;
      if (n >= REFRESH_BATCH) await this.deps.jobs.enqueue('events.refresh_versions', { accountId }, { key: accountId });
    }
    return fetched;
  }

  private async scope(accountId: string, livemode: boolean): Promise<EventScope | null> {
    const connection = await findByAccount(this.deps.db, accountId, livemode);
    if (!connection || connection.state === 'disconnected') return null;
    // Deauthorization needs no credentials; everything else may need to fetch.
    const session = await this.deps.stripe.caller(connection).catch(() => null);
    return {
      db: this.deps.db,
      connection,
      appClientIds: this.deps.appClientIds,
      client: () => {
        if (!session) throw new Error('the connection has no usable credentials');
        return session.client();
      },
      refreshAuth: () => session?.refreshAuth() ?? Promise.resolve(),
      limiter: session?.limiter ?? this.deps.limiters.forConnection(connection),
      disconnect: (id, reason) => this.deps.connections.disconnect(id, reason),
      reports: {
        runFinished: (run) => this.deps.reports.onRunEvent(connection, run.id),
        dataAvailable: async (id) => this.deps.jobs.enqueue('reports.schedule', { connectionId: id }, { key: id }),
      },
    };
  }

  /**
   * Reads the connection's events since its watermark (minus an overlap, up to a lag), stores them,
   * and only then moves the watermark. A watermark past Stripe's 30-day retention means events
   * were lost: the gap is re-imported and the status says so.
   */
  async poll(connectionId: string): Promise<{ stored: number; gapFrom?: number }> {
    const connection = await getConnection(this.deps.db, connectionId);
    if (!connection || !ACTIVE_STATES.includes(connection.state)) return { stored: 0 };
    try {
      return await this.pollOnce(connection);
    } catch (err) {
      await recordFailedPoll(this.deps.db, connection, err, this.deps.delayedAfterMs);
      throw err;
    }
  }

  private async pollOnce(connection: Connection): Promise<{ stored: number; gapFrom?: number }> {
    const { db } = this.deps;
    const connectionId = connection.id;
    const now = Math.floor(Date.now() / 1000);
    const mark = await watermarkOf(db, connectionId);
    const overlap = this.deps.overlapSeconds ?? OVERLAP_SECONDS;
    const watermark = mark ? Number(mark.watermark) : Math.floor(connection.createdAt / 1000) - overlap;
    const upTo = now - (this.deps.lagSeconds ?? LAG_SECONDS);
    let gapFrom: number | undefined;
    if (watermark < now - RETENTION_SECONDS + overlap) {
      gapFrom = watermark - overlap;
      await transition(
        db,
        connectionId,
        'backfilling',
        `events since ${new Date(watermark * 1000).toISOString()} are past Stripe's 30-day retention; re-importing from then`,
      );
      await this.deps.jobs.enqueue('import.range', { connectionId, since: gapFrom }, { key: connectionId });
    }
    const caller = await this.deps.stripe.caller(connection);
    const from = Math.max(watermark - overlap, now - RETENTION_SECONDS);
    let stored = 0;
    let newest: number | null = null;
    let startingAfter: string | undefined;
    for (;;) {
      const page = await caller.call(
        'events',
        (stripe) =>
          stripe.events.list({
            limit: 100,
            created: { gte: from, lt: upTo },
            ...(startingAfter ? { starting_after: startingAfter } : {}),
          }),
        { maxAttempts: POLL_ATTEMPTS, backoffBaseMs: this.deps.backoffBaseMs },
      );
      // The overlap re-reads what earlier polls stored: one lookup per page, and no write for those.
      const ids = page.data.map((e) => (e as { id?: unknown }).id).filter((id): id is string => typeof id === 'string');
      const known = await storedEventIds(db, connection.accountId, ids);
      for (const event of page.data) {
        const check = checkEvent(event);
        if (!check.ok) {
          // Not an event we can apply: kept as failed, where the overview counts it; the poll goes on.
          // One the overlap reads again is stored already: no second write for it.
          if (
            !known.has(String((event as { id?: unknown }).id)) &&
            (await deadLetterEvent(db, connection.accountId, connection.livemode, event, check.reason))
          )
            stored++;
          continue;
        }
        newest = Math.max(newest ?? 0, event.created);
        if (known.has(event.id)) continue;
        if (!(await this.ingest(connection.accountId, event, 'poll', undefined, { process: false })).duplicate) stored++;
      }
      if (!page.has_more || !page.data.length) break;
      // The cursor is the last listed id (an entry without one, dead-lettered above, is passed over).
      const last = ids[ids.length - 1];
      if (last === undefined || last === startingAfter) throw new Error('Stripe listed a page of events without ids; cannot page past it');
      startingAfter = last;
    }
    if (stored) await this.deps.jobs.enqueue('events.process', { accountId: connection.accountId }, { key: connection.accountId });
    const previous = mark?.last_event_created === null || mark?.last_event_created === undefined ? null : Number(mark.last_event_created);
    const latest = newest === null ? previous : Math.max(newest, previous ?? 0);
    const max = this.deps.pollMaxMs ?? POLL_MAX_MS;
    const min = Math.min(this.deps.pollMinMs ?? POLL_MIN_MS, max);
    const interval = stored ? min : Math.min(max, Math.round((Number(mark?.poll_interval_ms ?? 0) || min) * 1.5));
    await recordGoodPoll(db, connection);
    const fields = {
      watermark: Math.max(upTo, watermark),
      last_polled_at: Date.now(),
      last_checked_at: Date.now(),
      updated_at: Date.now(),
      last_event_created: latest,
      poll_interval_ms: interval,
      next_poll_at: Date.now() + interval,
      ...NO_POLL_FAILURE,
    };
    await saveWatermark(db, connectionId, fields);
    return { stored, gapFrom };
  }
}

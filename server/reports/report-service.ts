import Stripe from 'stripe';
import type { ConnectionStripe } from '../connections/connection-stripe.js';
import { getConnection, type Connection } from '../connections/connection-repository.js';
import { connectionSettings, reportingTimezone } from '../connections/connection-settings.js';
import type { Db } from '../db/database.js';
import type { Logger } from '../logging/logger.js';
import type { RateLimiters } from '../stripe/rate-limiter.js';
import { REPORT_FAMILIES, type ReportFamily } from '../../shared/report-families.js';
import { downloadReport } from './report-download.js';
import {
  claimDownload,
  dueRuns,
  getRun,
  insertRun,
  latestRun,
  renewDownload,
  runByStripeId,
  sameInterval,
  updateRun,
  type ReportRunRow,
} from './report-repository.js';
import { reconcile } from './reconcile.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { reportsRefusal } from '../../shared/connection-states.js';

const DAY = 86400;
const MAX_ATTEMPTS = 3;
const MAX_DAILY_RUNS = 31;
/** A download's claim lapses this long after its process stops renewing it (killed mid-download). */
const DOWNLOAD_LEASE_MS = 30_000;

export interface DiscoveredType {
  id: string;
  version: number;
  start: number;
  end: number;
}

/** The highest version of each family Stripe offers this account, with its data window. */
export function currentVersions(types: Stripe.Reporting.ReportType[]): Map<string, DiscoveredType> {
  const out = new Map<string, DiscoveredType>();
  for (const t of types) {
    const family = t.id.replace(/\.\d+$/, '');
    const known = out.get(family);
    if (!known || t.version > known.version)
      out.set(family, { id: t.id, version: t.version, start: t.data_available_start, end: t.data_available_end });
  }
  return out;
}

/**
 * The part of a report type's data window a run may ask for. Stripe's parameter text: interval_start
 * "between 1 second after this report's data_available_start and 1 second before … interval_end",
 * interval_end "… 1 second before this report's last data_available_end". The edge seconds are
 * outside; the next run starts where the last one ended, so only the very first second is lost.
 */
function requestableWindow(type: { start: number; end: number }): { start: number; end: number } {
  return { start: type.start + 1, end: type.end - 1 };
}

/** The intervals a family still needs: the whole window first, then each new day. */
export function nextIntervals(
  window: { start: number; end: number },
  last: { start: number; end: number } | null,
  force: boolean,
): [number, number][] {
  // Stripe refuses an empty interval (start must be before end): an account with no data yet has none.
  if (force) return last ? [[last.start, last.end]] : window.end > window.start ? [[window.start, window.end]] : [];
  if (!last) return window.end > window.start ? [[window.start, window.end]] : [];
  const from = Math.max(last.end, window.start);
  if (from >= window.end) return [];
  const days = Math.ceil((window.end - from) / DAY);
  if (days > MAX_DAILY_RUNS) return [[from, window.end]];
  return Array.from({ length: days }, (_, i) => [from + i * DAY, Math.min(window.end, from + (i + 1) * DAY)] as [number, number]);
}

/**
 * Stripe's financial reports for a connection: discover versions, request runs for intervals
 * inside the data window (never the same interval twice unless asked), wait for them through
 * events or polling with backoff, stream the CSV into rows, and reconcile itemized balance
 * reports with the imported balance transactions.
 */
export class ReportService {
  constructor(
    private readonly deps: {
      db: Db;
      stripe: ConnectionStripe;
      limiters: RateLimiters;
      logger: Logger;
      retryDelayMs?: number;
      onChunk?: (bytes: number) => void;
    },
  ) {}

  private session(connection: Connection) {
    return this.deps.stripe.caller(connection);
  }

  async schedule(connectionId: string, options: { families?: ReportFamily[]; force?: boolean } = {}): Promise<number[]> {
    const { db } = this.deps;
    const connection = await getConnection(db, connectionId);
    if (!connection) throw new NotFoundError(`No connection ${connectionId}`);
    const refusal = reportsRefusal(connection.state);
    if (refusal) throw new ConflictError(refusal);
    const s = await this.session(connection);
    const types = await s.call('reporting', (stripe) => stripe.reporting.reportTypes.list());
    const versions = currentVersions(types.data);
    const timezone = await reportingTimezone(db, connectionId);
    // Without an explicit choice, the families the merchant picked in the app's settings.
    const families = options.families ?? (await connectionSettings(db, connectionId)).reportFamilies;
    const created: number[] = [];
    for (const f of REPORT_FAMILIES) {
      if (families && !families.includes(f.family)) continue;
      const type = versions.get(f.family);
      if (!type) continue;
      const last = await latestRun(db, connectionId, f.family);
      for (const [start, end] of nextIntervals(
        requestableWindow(type),
        last && { start: last.intervalStart, end: last.intervalEnd },
        options.force ?? false,
      )) {
        if (!options.force && (await sameInterval(db, connectionId, f.family, start, end))) continue;
        const id = await insertRun(db, {
          connectionId,
          accountId: connection.accountId,
          family: f.family,
          reportType: type.id,
          intervalStart: start,
          intervalEnd: end,
          timezone,
        });
        created.push(id);
        // One family's trouble never keeps the others from being asked for: a transient error
        // leaves the run for checkDue to ask again later, a refusal ends it (request says which).
        await this.request(connection, id).catch(async (err: unknown) => {
          this.deps.logger.warn({ err, reportRun: id }, 'report run request failed; asked again later');
          await updateRun(db, id, { next_check_at: Date.now() + 60_000, error: (err as Error).message });
        });
      }
    }
    return created;
  }

  /** Asks Stripe for the run (again, when retrying). */
  private async request(connection: Connection, id: number): Promise<void> {
    const run = (await getRun(this.deps.db, id))!;
    const family = REPORT_FAMILIES.find((f) => f.family === run.family)!;
    const s = await this.session(connection);
    const parameters: Stripe.Reporting.ReportRunCreateParams.Parameters = { interval_end: run.intervalEnd, timezone: run.timezone };
    if (family.needsStart) parameters.interval_start = run.intervalStart;
    let created: Stripe.Reporting.ReportRun;
    try {
      created = await s.call('reporting', (stripe) => stripe.reporting.reportRuns.create({ report_type: run.reportType, parameters }));
    } catch (err) {
      // Refused for good (a type this mode cannot run, a permission, parameters Stripe rejects):
      // asking again would get the same answer. It ends here, with Stripe's words; rerun by hand.
      if (err instanceof Stripe.errors.StripeInvalidRequestError || err instanceof Stripe.errors.StripePermissionError) {
        await updateRun(this.deps.db, id, {
          status: 'refused',
          error: `Stripe refused the report run: ${err.message}`,
          next_check_at: null,
          finished_at: Date.now(),
          attempts: run.attempts + 1,
        });
        return;
      }
      throw err;
    }
    await updateRun(this.deps.db, id, {
      stripe_run_id: created.id,
      attempts: run.attempts + 1,
      status: 'pending',
      next_check_at: Date.now() + 5_000,
      error: null,
    });
  }

  /**
   * A `reporting.report_run.*` event that arrived for `connection`: only a run of that connection
   * is looked for, and what it says is not taken from the event (anyone who can sign for an
   * endpoint can write one): the run is fetched with the connection's own credentials and settled
   * as Stripe has it (at most once, however often the event arrives).
   */
  async onRunEvent(connection: Connection, stripeRunId: string): Promise<void> {
    const ours = await runByStripeId(this.deps.db, connection.id, stripeRunId);
    if (!ours) return;
    const stripeRun = await this.fetchRun(connection, stripeRunId).catch((err: unknown) => {
      // Stripe shows this connection no such run: the event was not Stripe's word; checkDue asks again later.
      if (err instanceof Stripe.errors.StripeInvalidRequestError && err.statusCode === 404) return null;
      throw err;
    });
    if (stripeRun) await this.settle(ours, stripeRun);
  }

  private async fetchRun(connection: Connection, stripeRunId: string): Promise<Stripe.Reporting.ReportRun> {
    const s = await this.session(connection);
    try {
      return await s.call('reporting', (stripe) => stripe.reporting.reportRuns.retrieve(stripeRunId));
    } catch (err) {
      // stripe-node throws for any body with a top-level `error`, and a failed run has one;
      // the run's error text ends up in `rawType` (it takes a string error for an OAuth one).
      if (err instanceof Stripe.errors.StripeError && err.statusCode === 200) {
        return {
          id: stripeRunId,
          status: 'failed',
          error: err.rawType || err.message || 'the report run failed',
        } as Stripe.Reporting.ReportRun;
      }
      throw err;
    }
  }

  /** Runs whose next check is due: request retries, poll pending ones with growing intervals. */
  async checkDue(): Promise<void> {
    for (const run of await dueRuns(this.deps.db)) {
      const connection = await getConnection(this.deps.db, run.connectionId);
      if (!connection) continue;
      try {
        if (!run.stripeRunId) {
          await this.request(connection, run.id);
          continue;
        }
        await this.settle(run, await this.fetchRun(connection, run.stripeRunId));
      } catch (err) {
        this.deps.logger.warn({ err, reportRun: run.id }, 'report run check failed');
        await updateRun(this.deps.db, run.id, { next_check_at: Date.now() + 60_000, error: (err as Error).message });
      }
    }
  }

  private async settle(run: ReportRunRow, stripeRun: Stripe.Reporting.ReportRun): Promise<void> {
    const { db } = this.deps;
    if (stripeRun.status === 'pending') {
      // Back off: check again after half the time the run has taken so far (5 s to 10 min).
      const waited = Date.now() - run.requestedAt;
      await updateRun(db, run.id, { next_check_at: Date.now() + Math.min(600_000, Math.max(5_000, waited / 2)) });
      return;
    }
    if (stripeRun.status === 'failed') {
      if (run.status !== 'pending' || run.stripeRunId !== stripeRun.id) return;
      const message = stripeRun.error ?? 'the report run failed';
      const final = run.attempts >= MAX_ATTEMPTS;
      await updateRun(db, run.id, {
        status: final ? 'failed' : 'pending',
        error: message,
        stripe_run_id: final ? run.stripeRunId : null,
        next_check_at: final ? null : Date.now() + (this.deps.retryDelayMs ?? 15 * 60_000),
        finished_at: final ? Date.now() : null,
      });
      return;
    }
    if (!stripeRun.result || !(await claimDownload(db, run.id, DOWNLOAD_LEASE_MS))) return;
    const connection = (await getConnection(db, run.connectionId))!;
    const s = await this.session(connection);
    const heartbeat = setInterval(() => void renewDownload(db, run.id, DOWNLOAD_LEASE_MS).catch(() => undefined), DOWNLOAD_LEASE_MS / 3);
    try {
      const { rows, columns } = await downloadReport(
        db,
        s.client(),
        s.limiter,
        { id: run.id, accountId: run.accountId, fileId: stripeRun.result.id },
        { onChunk: this.deps.onChunk },
      );
      const family = REPORT_FAMILIES.find((f) => f.family === run.family)!;
      const reconciliation = family.reconcile ? await reconcile(db, { ...run, livemode: connection.livemode }, columns) : null;
      await updateRun(db, run.id, {
        status: 'downloaded',
        file_id: stripeRun.result.id,
        row_count: rows,
        columns: JSON.stringify(columns),
        finished_at: Date.now(),
        next_check_at: null,
        error: null,
        reconciliation: reconciliation ? JSON.stringify(reconciliation) : null,
      });
    } catch (err) {
      await updateRun(db, run.id, { status: 'pending', next_check_at: Date.now() + 60_000, error: (err as Error).message });
      throw err;
    } finally {
      clearInterval(heartbeat);
    }
  }
}

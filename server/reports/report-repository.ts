import type { Db } from '../db/database.js';
import { readJson, readNumber, readOptionalNumber } from '../db/rows.js';
import { storedError } from '../logging/redact.js';

/** pending: waiting for Stripe (or for a retry); downloading/downloaded: ours; failed: final. */
/** `refused`: Stripe rejected the request for good (400/403); it is asked for again only by hand. */
export type ReportRunStatus = 'pending' | 'downloading' | 'downloaded' | 'failed' | 'refused';

export interface ReportRunRow {
  id: number;
  connectionId: string;
  accountId: string;
  family: string;
  reportType: string;
  intervalStart: number;
  intervalEnd: number;
  timezone: string;
  stripeRunId: string | null;
  status: ReportRunStatus;
  attempts: number;
  error: string | null;
  rowCount: number | null;
  requestedAt: number;
  nextCheckAt: number | null;
  reconciliation: unknown;
}

const toRun = (r: Record<string, unknown>): ReportRunRow => ({
  id: readNumber(r.id),
  connectionId: String(r.connection_id),
  accountId: String(r.account_id),
  family: String(r.family),
  reportType: String(r.report_type),
  intervalStart: readNumber(r.interval_start),
  intervalEnd: readNumber(r.interval_end),
  timezone: String(r.timezone),
  stripeRunId: (r.stripe_run_id as string | null) ?? null,
  status: r.status as ReportRunStatus,
  attempts: readNumber(r.attempts),
  error: (r.error as string | null) ?? null,
  rowCount: readOptionalNumber(r.row_count),
  requestedAt: readNumber(r.requested_at),
  nextCheckAt: readOptionalNumber(r.next_check_at),
  reconciliation: r.reconciliation ? readJson(r.reconciliation) : null,
});

export async function insertRun(
  db: Db,
  r: Pick<ReportRunRow, 'connectionId' | 'accountId' | 'family' | 'reportType' | 'intervalStart' | 'intervalEnd' | 'timezone'>,
): Promise<number> {
  const [inserted] = await db('report_runs')
    .insert({
      connection_id: r.connectionId,
      account_id: r.accountId,
      family: r.family,
      report_type: r.reportType,
      interval_start: r.intervalStart,
      interval_end: r.intervalEnd,
      timezone: r.timezone,
      status: 'pending',
      requested_at: Date.now(),
      next_check_at: Date.now(),
    })
    .returning('id');
  return readNumber(typeof inserted === 'object' ? (inserted as { id: unknown }).id : inserted);
}

export async function getRun(db: Db, id: number): Promise<ReportRunRow | null> {
  const row = await db('report_runs').where({ id }).first();
  return row ? toRun(row) : null;
}

/** A connection's run by Stripe's run id (never another connection's, whatever the id). */
export async function runByStripeId(db: Db, connectionId: string, stripeRunId: string): Promise<ReportRunRow | null> {
  const row = await db('report_runs').where({ connection_id: connectionId, stripe_run_id: stripeRunId }).first();
  return row ? toRun(row) : null;
}

/** The newest run of a family that did not fail for good, to continue from. */
export async function latestRun(db: Db, connectionId: string, family: string): Promise<ReportRunRow | null> {
  const row = await db('report_runs')
    .where({ connection_id: connectionId, family })
    .whereNot('status', 'failed')
    .orderBy('interval_end', 'desc')
    .orderBy('id', 'desc')
    .first();
  return row ? toRun(row) : null;
}

export async function sameInterval(db: Db, connectionId: string, family: string, start: number, end: number): Promise<boolean> {
  return Boolean(
    await db('report_runs')
      .where({ connection_id: connectionId, family, interval_start: start, interval_end: end })
      .whereNot('status', 'failed')
      .first('id'),
  );
}

/** Runs to look at now: pending ones whose check is due, and downloads whose lease lapsed (their process died). */
export async function dueRuns(db: Db, now = Date.now()): Promise<ReportRunRow[]> {
  return (
    await db('report_runs')
      .whereIn('status', ['pending', 'downloading'])
      .where('next_check_at', '<=', now)
      .orderBy('next_check_at')
      .limit(100)
  ).map(toRun);
}

export async function updateRun(db: Db, id: number, patch: Record<string, unknown>): Promise<void> {
  await db('report_runs')
    .where({ id })
    .update(typeof patch.error === 'string' ? { ...patch, error: storedError(patch.error) } : patch);
}

/**
 * Only one processor may download a run, however many success notices arrive. The claim is a
 * lease (`next_check_at`), renewed while the download runs: a process killed mid-download leaves
 * it to lapse, and the run is downloaded again (rows are keyed by run and row number).
 */
export async function claimDownload(db: Db, id: number, leaseMs: number, now = Date.now()): Promise<boolean> {
  return (
    (await db('report_runs')
      .where({ id })
      .where((w) =>
        w.where({ status: 'pending' }).orWhere((lapsed) => lapsed.where({ status: 'downloading' }).where('next_check_at', '<=', now)),
      )
      .update({ status: 'downloading', next_check_at: now + leaseMs })) === 1
  );
}

export async function renewDownload(db: Db, id: number, leaseMs: number): Promise<void> {
  await db('report_runs')
    .where({ id, status: 'downloading' })
    .update({ next_check_at: Date.now() + leaseMs });
}

export async function runsOf(db: Db, connectionId: string): Promise<ReportRunRow[]> {
  return (await db('report_runs').where({ connection_id: connectionId }).orderBy('id', 'desc').limit(500)).map(toRun);
}

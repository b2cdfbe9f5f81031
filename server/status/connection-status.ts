import { modeOf, type Config } from '../config.js';
import type { Db } from '../db/database.js';
import { readNumber, readOptionalNumber, isoOrNull as iso } from '../db/rows.js';
import { readVerification } from '../sync/backfill/verify.js';
import { ACTIVE_STATES, validActions, type ConnectionState } from '../../shared/connection-states.js';
import type {
  ConnectionDetail,
  VerificationState,
  ConnectionIdentity,
  ConnectionStatus,
} from '../../shared/contracts/connection-status.js';
import { deadLettersOf } from '../jobs/dead-letters.js';
import { runsOf } from '../reports/report-repository.js';
import { REPORT_FAMILIES } from '../../shared/report-families.js';
import { stateHistory, type Connection } from '../connections/connection-repository.js';

function whatToDo(c: Connection): string | null {
  const advice: Partial<Record<ConnectionState, string>> = {
    reauthorization_required:
      c.authKind === 'api_key'
        ? 'Stripe refused the stored API key. Use "Replace API key" with a new (restricted) key for this account to reconnect.'
        : 'Stripe no longer accepts our token. ' +
          'Ask the merchant to reinstall the app from the Stripe Dashboard, or send them the reauthorize link.',
    permission_missing: `Give the API key read access to: ${c.missingPermissions.join(', ') || 'the listed resources'}; then resync.`,
    degraded: 'A transient error is being retried automatically. If it persists, check the last error.',
    paused: 'Sync is paused. Resume it when the merchant is ready.',
    disconnected: 'Stored credentials were deleted. Reconnect by installing the app again or adding a new API key.',
  };
  return advice[c.state] ?? null;
}

/** With no page stored for this long, a running import's time left is unknown (and after STALLED_AFTER_MS, it is stalled). */
const RECENT_PROGRESS_MS = 60_000;

/** One resource's import: counts, time left from its recent pace, and what verification found. */
function importProgress(
  resource: string,
  r: Record<string, unknown>,
  lastProgress: number | null,
): ConnectionStatus['import']['resources'][number] {
  const objects = readNumber(r.objects);
  const estimated = readOptionalNumber(r.estimated_total);
  // The pace since a job took the run up in this import, and only while pages keep coming.
  const since = readOptionalNumber(r.picked_up_at) ?? readNumber(r.started_at);
  const gained = objects - readNumber(r.objects_before ?? 0);
  const elapsed = (Date.now() - since) / 1000;
  const recent = lastProgress !== null && Date.now() - lastProgress < RECENT_PROGRESS_MS;
  const rate = recent && elapsed > 0 ? gained / elapsed : 0;
  const verification = r.state === 'succeeded' ? readVerification({ verification: (r.verification as string | null) ?? null }) : null;
  return {
    resource,
    state: String(r.state),
    objects,
    pages: readNumber(r.pages),
    estimated_total: estimated,
    eta_seconds: r.state === 'running' && estimated !== null && rate > 0 ? Math.max(0, Math.round((estimated - objects) / rate)) : null,
    last_progress_at: iso(lastProgress),
    verification: verification && {
      state: verification.state,
      expected: verification.expected,
      stored: verification.stored,
      found_missing: verification.foundMissing,
      repaired: verification.repaired,
      verified_at: verification.verifiedAt,
    },
    last_error: (r.last_error as string | null) ?? null,
    finished_at: iso(readOptionalNumber(r.finished_at)),
  };
}

/** The import as a whole: done once every resource is; verified once every resource is (repaired if any was). */
function importStatus(resources: ConnectionStatus['import']['resources']): ConnectionStatus['import'] {
  const done = resources.length > 0 && resources.every((r) => r.state === 'succeeded');
  const states = new Set(resources.map((r) => r.verification?.state ?? 'waiting'));
  const verification: VerificationState = states.has('verifying')
    ? 'verifying'
    : states.has('waiting')
      ? 'waiting'
      : states.has('repaired')
        ? 'repaired'
        : 'verified';
  return { done, verification: done ? verification : null, resources };
}

/** Per report family: the newest interval downloaded, runs still pending, and what failed. */
async function reportStatus(db: Db, connectionId: string): Promise<ConnectionStatus['reports']> {
  const runs = await runsOf(db, connectionId);
  return REPORT_FAMILIES.map(({ family }) => {
    const mine = runs.filter((r) => r.family === family);
    const done = mine.filter((r) => r.status === 'downloaded').sort((a, b) => b.intervalEnd - a.intervalEnd)[0];
    const failed = mine.find((r) => r.error);
    const rec = done?.reconciliation as { status: string; reason?: string; differences: unknown[] } | null | undefined;
    return {
      family,
      report_type: mine[0]?.reportType ?? null,
      last_interval: done ? { start: iso(done.intervalStart * 1000)!, end: iso(done.intervalEnd * 1000)! } : null,
      pending: mine.filter((r) => r.status === 'pending' || r.status === 'downloading').length,
      last_failure: failed?.error ?? null,
      reconciliation: rec ? { status: rec.status, reason: rec.reason ?? null, differences: rec.differences } : null,
    };
  });
}

export function connectionIdentity(c: Connection): ConnectionIdentity {
  return {
    id: c.id,
    account_id: c.accountId,
    name: c.name,
    mode: modeOf(c.livemode),
    environment: c.environment,
    auth: c.authKind,
    install_source: c.installSource,
    merchant_id: c.merchantId,
    state: c.state,
    state_reason: c.stateReason,
    state_since: iso(c.stateChangedAt)!,
    connected: ACTIVE_STATES.includes(c.state),
    last_error: c.lastError ? { message: c.lastError, at: iso(c.lastErrorAt)! } : null,
  };
}

/** When each run last stored a page (its segments' newest update). */
async function lastProgress(db: Db, runIds: number[]): Promise<Map<number, number>> {
  if (!runIds.length) return new Map();
  const rows = await db('backfill_segments').whereIn('run_id', runIds).groupBy('run_id').select('run_id').max({ at: 'updated_at' });
  return new Map(rows.map((r: Record<string, unknown>) => [readNumber(r.run_id), readNumber(r.at)]));
}

/** Seconds the newest event took from its creation at Stripe to our database. */
async function newestEventLag(db: Db, c: Connection): Promise<number | null> {
  const row = await db('event_inbox')
    .where({ account_id: c.accountId, livemode: c.livemode })
    .orderBy('created', 'desc')
    .first('created', 'received_at');
  return row ? Math.max(0, Math.round(readNumber(row.received_at) / 1000 - readNumber(row.created))) : null;
}

/** The status model: everything support staff ask about a connection, in one object. */
export async function connectionStatus(db: Db, config: Config, c: Connection): Promise<ConnectionStatus> {
  const runs = await db('backfill_runs').where({ connection_id: c.id }).orderBy('id', 'desc');
  const latest = new Map<string, Record<string, unknown>>();
  for (const run of runs) if (!latest.has(String(run.resource))) latest.set(String(run.resource), run);
  const progressOf = await lastProgress(
    db,
    [...latest.values()].map((r) => readNumber(r.id)),
  );
  const watermark = await db('event_watermarks').where({ connection_id: c.id }).first();
  const inbox = db('event_inbox').where({ account_id: c.accountId, livemode: c.livemode });
  const [{ newest }] = (await inbox.clone().where({ status: 'processed' }).max({ newest: 'created' })) as [{ newest: unknown }];
  const lastEvent = readOptionalNumber(newest);
  const sources = await inbox.clone().groupBy('source').select('source').count({ n: '*' });
  const statuses = await inbox.clone().whereIn('status', ['pending', 'failed']).groupBy('status').select('status').count({ n: '*' });
  const countOf = (status: string) => Number((statuses as { status: string; n: unknown }[]).find((s) => s.status === status)?.n ?? 0);
  const mode = modeOf(c.livemode);
  return {
    ...connectionIdentity(c),
    country: c.country,
    connected_since: iso(c.createdAt)!,
    token: c.authKind === 'oauth' ? { expires_at: iso(c.tokenExpiresAt), refreshed_at: iso(c.tokenRefreshedAt) } : null,
    missing_permissions: c.missingPermissions,
    import: importStatus(
      [...latest.entries()].map(([resource, r]) => importProgress(resource, r, progressOf.get(readNumber(r.id)) ?? null)),
    ),
    events: {
      last_event_at: lastEvent === null ? null : iso(lastEvent * 1000),
      lag_seconds: await newestEventLag(db, c),
      last_polled_at: iso(readOptionalNumber(watermark?.last_polled_at)),
      last_checked_at: iso(readOptionalNumber(watermark?.last_checked_at) ?? readOptionalNumber(watermark?.last_polled_at)),
      delayed:
        watermark?.poll_failing_since && ACTIVE_STATES.includes(c.state)
          ? {
              since: iso(readNumber(watermark.poll_failing_since))!,
              last_error: String(watermark.last_poll_error ?? ''),
              last_good_poll_at: iso(readOptionalNumber(watermark.last_polled_at)),
            }
          : null,
      by_source: Object.fromEntries((sources as { source: string; n: unknown }[]).map((s) => [s.source, Number(s.n)])),
      backlog: countOf('pending'),
      failed: countOf('failed'),
    },
    reports: await reportStatus(db, c.id),
    dead_jobs: (await deadLettersOf(db, c.id)).map((d) => ({ job: d.job, error: d.error, attempts: d.attempts, at: iso(d.at)! })),
    what_to_do: whatToDo(c),
    actions: validActions(c.state, c.authKind),
    reauthorize_url:
      c.state === 'reauthorization_required' && c.authKind === 'oauth' ? `${config.publicUrl}/oauth/install?mode=${mode}` : null,
  };
}

export async function connectionDetail(db: Db, config: Config, c: Connection): Promise<ConnectionDetail> {
  const history = await stateHistory(db, c.id);
  return {
    ...(await connectionStatus(db, config, c)),
    history: history.map((h) => ({ from: h.fromState, to: h.toState, reason: h.reason, at: iso(h.at)! })),
  };
}

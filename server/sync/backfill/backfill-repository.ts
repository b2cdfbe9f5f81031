import type { Db } from '../../db/database.js';
import { readNumber, readOptionalNumber } from '../../db/rows.js';
import type { Range } from './segment-plan.js';
import { storedError } from '../../logging/redact.js';

export type RunState = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface BackfillRun {
  id: number;
  connectionId: string;
  resource: string;
  /** The lower end the merchant chose (`history_since`, or a ranged resync); null: all history. */
  gte: number | null;
  lt: number;
  state: RunState;
  objects: number;
  pages: number;
  estimatedTotal: number | null;
  startedAt: number;
  /** When a job last took the run up (ms), and the objects it held then. */
  pickedUpAt: number | null;
  objectsBefore: number;
  lastError: string | null;
  /** JSON of verify.ts's result, or of its progress (`partial`); null until verification starts. */
  verification: string | null;
}

export interface Segment extends Range {
  id: number;
  cursor: string | null;
  objects: number;
  pages: number;
  done: boolean;
}

const toRun = (r: Record<string, unknown>): BackfillRun => ({
  id: readNumber(r.id),
  connectionId: String(r.connection_id),
  resource: String(r.resource),
  gte: readOptionalNumber(r.created_gte),
  lt: readNumber(r.created_lt),
  state: r.state as RunState,
  objects: readNumber(r.objects),
  pages: readNumber(r.pages),
  estimatedTotal: readOptionalNumber(r.estimated_total),
  startedAt: readNumber(r.started_at),
  pickedUpAt: readOptionalNumber(r.picked_up_at),
  objectsBefore: readNumber(r.objects_before ?? 0),
  lastError: (r.last_error as string | null) ?? null,
  verification: (r.verification as string | null) ?? null,
});

const toSegment = (r: Record<string, unknown>): Segment => ({
  id: readNumber(r.id),
  gte: readNumber(r.created_gte),
  lt: readNumber(r.created_lt),
  cursor: (r.cursor as string | null) ?? null,
  objects: readNumber(r.objects),
  pages: readNumber(r.pages),
  done: r.state === 'done',
});

export async function activeRun(db: Db, connectionId: string, resource: string): Promise<BackfillRun | null> {
  const row = await db('backfill_runs').where({ connection_id: connectionId, resource, state: 'running' }).orderBy('id', 'desc').first();
  return row ? toRun(row) : null;
}

/** The newest run of each resource of a connection (of the given resources, or all). */
export async function latestRuns(db: Db, connectionId: string, resources?: string[]): Promise<Map<string, BackfillRun>> {
  const ids = db('backfill_runs')
    .where({ connection_id: connectionId })
    .modify((q) => {
      if (resources) q.whereIn('resource', resources);
    })
    .groupBy('resource')
    .max('id');
  const rows = await db('backfill_runs').whereIn('id', ids);
  return new Map(rows.map((r: Record<string, unknown>) => [String(r.resource), toRun(r)]));
}

export async function lastSucceededRun(db: Db, connectionId: string, resource: string): Promise<BackfillRun | null> {
  const row = await db('backfill_runs').where({ connection_id: connectionId, resource, state: 'succeeded' }).orderBy('id', 'desc').first();
  return row ? toRun(row) : null;
}

/** A job takes the run up (new or resumed): what it adds from here is this import's. */
export async function pickUpRun(db: Db, runId: number): Promise<void> {
  await db('backfill_runs')
    .where({ id: runId })
    .update({ picked_up_at: Date.now(), objects_before: db.ref('objects') });
}

/** Runs left `running` by an earlier import of the resource end as cancelled when a new one starts. */
export async function cancelRunning(db: Db, connectionId: string, resource: string): Promise<void> {
  await db('backfill_runs')
    .where({ connection_id: connectionId, resource, state: 'running' })
    .update({ state: 'cancelled', finished_at: Date.now() });
}

/** Latest succeeded runs of live connections, with their verification (to find the unverified). */
export async function finishedRunsOfLiveConnections(db: Db): Promise<{ connectionId: string; verification: string | null }[]> {
  const latest = db('backfill_runs').groupBy('connection_id', 'resource').max('id');
  const rows = await db('backfill_runs as r')
    .join('connections as c', 'c.id', 'r.connection_id')
    .whereIn('r.id', latest)
    .where({ 'r.state': 'succeeded', 'c.state': 'live' })
    .select('r.connection_id', 'r.verification');
  return rows.map((r: Record<string, unknown>) => ({
    connectionId: String(r.connection_id),
    verification: (r.verification as string | null) ?? null,
  }));
}

export async function saveVerification(db: Db, runId: number, verification: unknown): Promise<void> {
  await db('backfill_runs')
    .where({ id: runId })
    .update({ verification: JSON.stringify(verification) });
}

/** knex's `returning('id')` gives objects on PostgreSQL and plain values on SQLite. */
const insertedId = (inserted: unknown) =>
  readNumber(typeof inserted === 'object' && inserted !== null ? (inserted as { id: unknown }).id : inserted);

/** A new run with its whole range as the first segment. */
export async function createRun(
  db: Db,
  input: { connectionId: string; resource: string; gte: number | null; floor: number; lt: number },
): Promise<BackfillRun> {
  const now = Date.now();
  return db.transaction(async (trx) => {
    const [inserted] = await trx('backfill_runs')
      .insert({
        connection_id: input.connectionId,
        resource: input.resource,
        created_gte: input.gte,
        created_lt: input.lt,
        state: 'running',
        started_at: now,
      })
      .returning('id');
    const id = insertedId(inserted);
    await addSegment(trx, id, { gte: input.gte ?? input.floor, lt: input.lt });
    return toRun(await trx('backfill_runs').where({ id }).first());
  });
}

/** A new segment of a run: its first range, one split off a page, or a gap verification found below. */
export async function addSegment(db: Db, runId: number, range: Range): Promise<Segment> {
  const [inserted] = await db('backfill_segments')
    .insert({ run_id: runId, created_gte: range.gte, created_lt: range.lt, state: 'pending', updated_at: Date.now() })
    .returning('id');
  return { id: insertedId(inserted), gte: range.gte, lt: range.lt, cursor: null, objects: 0, pages: 0, done: false };
}

export async function openSegments(db: Db, runId: number): Promise<Segment[]> {
  const rows = await db('backfill_segments').where({ run_id: runId }).whereNot('state', 'done').orderBy('created_lt', 'desc');
  return rows.map(toSegment);
}

export async function allSegments(db: Db, runId: number): Promise<Segment[]> {
  return (await db('backfill_segments').where({ run_id: runId }).orderBy('created_lt', 'desc')).map(toSegment);
}

/**
 * The checkpoint after a page, in the caller's transaction (with the page's rows): where the
 * segment continues, the children split off it, and the run's counters.
 */
export async function checkpoint(
  trx: Db,
  run: BackfillRun,
  segment: Segment,
  page: {
    count: number;
    cursor: string | null;
    keep: Range;
    children: Range[];
    estimatedTotal: number | null;
  },
): Promise<Segment[]> {
  const now = Date.now();
  await trx('backfill_segments')
    .where({ id: segment.id })
    .update({
      created_gte: page.keep.gte,
      created_lt: page.keep.lt,
      cursor: page.cursor,
      state: page.cursor ? 'running' : 'done',
      objects: segment.objects + page.count,
      pages: segment.pages + 1,
      updated_at: now,
    });
  const children: Segment[] = [];
  for (const c of page.children) children.push(await addSegment(trx, run.id, c));
  await trx('backfill_runs')
    .where({ id: run.id })
    .update({
      objects: trx.raw('objects + ?', [page.count]),
      pages: trx.raw('pages + 1'),
      // null while the oldest part of the history is still unknown: no estimate beats a wrong one.
      estimated_total: page.estimatedTotal,
    });
  return children;
}

export async function finishRun(
  db: Db,
  runId: number,
  state: RunState,
  details: { verification?: unknown; error?: string } = {},
): Promise<void> {
  await db('backfill_runs')
    .where({ id: runId })
    .update({
      state,
      finished_at: Date.now(),
      ...(details.verification === undefined ? {} : { verification: JSON.stringify(details.verification) }),
      ...(details.error === undefined ? {} : { last_error: storedError(details.error) }),
    });
}

export async function recordRunError(db: Db, runId: number, error: string): Promise<void> {
  await db('backfill_runs')
    .where({ id: runId })
    .update({ last_error: storedError(error) });
}

export async function runCounters(db: Db, runId: number): Promise<{ objects: number; pages: number; estimatedTotal: number | null }> {
  const r = await db('backfill_runs').where({ id: runId }).first('objects', 'pages', 'estimated_total');
  return { objects: readNumber(r.objects), pages: readNumber(r.pages), estimatedTotal: readOptionalNumber(r.estimated_total) };
}

/** A run's saved verification (JSON: finished, or `partial` progress), or null. */
export async function verificationOf(db: Db, runId: number): Promise<string | null> {
  const row = await db('backfill_runs').where({ id: runId }).first('verification');
  return row?.verification ? String(row.verification) : null;
}

/** Saves verification progress already serialised (a snapshot taken when it was asked for). */
export async function saveVerificationText(db: Db, runId: number, record: string): Promise<void> {
  await db('backfill_runs').where({ id: runId }).update({ verification: record });
}

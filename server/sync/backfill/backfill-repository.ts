import type { Db } from '../../db/database.js';
import { readNumber, readOptionalNumber } from '../../db/rows.js';
import type { Range } from './segment-plan.js';

export type RunState = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface BackfillRun {
  id: number;
  connectionId: string;
  resource: string;
  gte: number | null;
  lt: number;
  state: RunState;
  objects: number;
  pages: number;
  estimatedTotal: number | null;
  startedAt: number;
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

/** A new run with its whole range as the first segment. */
export async function createRun(db: Db, input: { connectionId: string; resource: string; gte: number | null; floor: number; lt: number }): Promise<BackfillRun> {
  const now = Date.now();
  return db.transaction(async (trx) => {
    const [inserted] = await trx('backfill_runs').insert({
      connection_id: input.connectionId, resource: input.resource, created_gte: input.gte, created_lt: input.lt,
      state: 'running', started_at: now,
    }).returning('id');
    const id = readNumber(typeof inserted === 'object' ? (inserted as { id: unknown }).id : inserted);
    await trx('backfill_segments').insert({ run_id: id, created_gte: input.gte ?? input.floor, created_lt: input.lt, state: 'pending', updated_at: now });
    return toRun(await trx('backfill_runs').where({ id }).first());
  });
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
export async function checkpoint(trx: Db, run: BackfillRun, segment: Segment, page: {
  count: number; cursor: string | null; keep: Range; children: Range[]; estimatedTotal: number | null;
}): Promise<Segment[]> {
  const now = Date.now();
  await trx('backfill_segments').where({ id: segment.id }).update({
    created_gte: page.keep.gte, created_lt: page.keep.lt, cursor: page.cursor, state: page.cursor ? 'running' : 'done',
    objects: segment.objects + page.count, pages: segment.pages + 1, updated_at: now,
  });
  const children: Segment[] = [];
  for (const c of page.children) {
    const [inserted] = await trx('backfill_segments').insert({ run_id: run.id, created_gte: c.gte, created_lt: c.lt, state: 'pending', updated_at: now }).returning('id');
    const id = readNumber(typeof inserted === 'object' ? (inserted as { id: unknown }).id : inserted);
    children.push({ id, gte: c.gte, lt: c.lt, cursor: null, objects: 0, pages: 0, done: false });
  }
  await trx('backfill_runs').where({ id: run.id }).update({
    objects: trx.raw('objects + ?', [page.count]), pages: trx.raw('pages + 1'),
    ...(page.estimatedTotal === null ? {} : { estimated_total: page.estimatedTotal }),
  });
  return children;
}

export async function finishRun(db: Db, runId: number, state: RunState, details: { verification?: unknown; error?: string } = {}): Promise<void> {
  await db('backfill_runs').where({ id: runId }).update({
    state, finished_at: Date.now(),
    ...(details.verification === undefined ? {} : { verification: JSON.stringify(details.verification) }),
    ...(details.error === undefined ? {} : { last_error: details.error }),
  });
}

export async function recordRunError(db: Db, runId: number, error: string): Promise<void> {
  await db('backfill_runs').where({ id: runId }).update({ last_error: error });
}

export async function runCounters(db: Db, runId: number): Promise<{ objects: number; pages: number; estimatedTotal: number | null }> {
  const r = await db('backfill_runs').where({ id: runId }).first('objects', 'pages', 'estimated_total');
  return { objects: readNumber(r.objects), pages: readNumber(r.pages), estimatedTotal: readOptionalNumber(r.estimated_total) };
}

import type { Db } from '../db/database.js';
import { storedError } from '../logging/redact.js';
import { connectionExists } from '../connections/connection-repository.js';

export interface DeadLetter {
  job: string;
  error: string;
  attempts: number;
  at: number;
}

/** A job that failed every attempt, kept where the connection's status can show it. */
export async function recordDeadLetter(
  db: Db,
  d: { job: string; payload: Record<string, unknown>; error: string; attempts: number },
): Promise<void> {
  const id = typeof d.payload.connectionId === 'string' ? d.payload.connectionId : null;
  const known = id ? await connectionExists(db, id) : false;
  await db('job_dead_letters').insert({
    connection_id: known ? id : null,
    job: d.job,
    payload: JSON.stringify(d.payload),
    error: storedError(d.error),
    attempts: d.attempts,
    created_at: Date.now(),
  });
}

export async function deadLettersOf(db: Db, connectionId: string, limit = 5): Promise<DeadLetter[]> {
  const rows = await db('job_dead_letters').where({ connection_id: connectionId }).orderBy('id', 'desc').limit(limit);
  return rows.map((r: Record<string, unknown>) => ({
    job: String(r.job),
    error: String(r.error),
    attempts: Number(r.attempts),
    at: Number(r.created_at),
  }));
}

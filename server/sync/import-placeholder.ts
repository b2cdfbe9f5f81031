import { transition } from '../connections/connection-repository.js';
import type { Db } from '../db/database.js';
import type { JobRunner } from '../jobs/job-runner.js';

/**
 * Stands in for the historical import until it exists: the connection goes live and says
 * plainly that no history was imported. Replaced by the backfill engine.
 */
export function registerImportPlaceholder(jobs: JobRunner, db: Db): void {
  jobs.register('import.start', async (payload) => {
    const id = String(payload.connectionId);
    const row = await db('connections').where({ id }).first('state');
    if (row?.state !== 'backfilling') return;
    await transition(db, id, 'live', 'connected; the historical import is not part of this build yet');
  });
}

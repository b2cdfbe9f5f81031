import type { JobRunner } from '../jobs/job-runner.js';
import type { ImportService } from './import-service.js';

/** `import.start`: the historical import of one connection, queued after connect and resync. */
export function registerImportJob(jobs: JobRunner, imports: ImportService): void {
  jobs.register('import.start', async (payload) => {
    const connectionId = String(payload.connectionId);
    const resources = Array.isArray(payload.resources) ? payload.resources.map(String) : undefined;
    const outcomes = await imports.run(connectionId, { full: payload.full === true, resources });
    // Interrupted by errors that outlasted the retries: the connection is degraded and the import
    // resumes from its checkpoints later, backing off up to half an hour.
    if (outcomes.some((o) => o.state === 'interrupted')) {
      const attempt = Number(payload.attempt ?? 0) + 1;
      const delay = Math.min(30 * 60_000, 30_000 * 2 ** (attempt - 1));
      jobs.enqueueIn(delay, 'import.start', { connectionId, attempt, ...(resources ? { resources } : {}) }, { key: connectionId });
    }
  });
}

import type { JobRunner } from '../jobs/job-runner.js';
import type { ImportService } from './import-service.js';

/** `import.start`: the historical import of one connection, queued after connect and resync. */
export function registerImportJob(jobs: JobRunner, imports: ImportService): void {
  jobs.register('import.start', async (payload) => {
    await imports.run(String(payload.connectionId), { full: payload.full === true });
  });
}

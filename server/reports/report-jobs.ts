import { z } from 'zod';
import type { Db } from '../db/database.js';
import { connectionIdsIn } from '../connections/connection-repository.js';
import { ConflictError } from '../errors.js';
import type { Jobs } from '../jobs/jobs.js';
import { isReportFamily } from '../../shared/report-families.js';
import type { ReportService } from './report-service.js';

const CHECK_INTERVAL_MS = 30_000;
const DAILY_MS = 24 * 60 * 60 * 1000;

export function registerReportJobs(jobs: Jobs, reports: ReportService): void {
  jobs.register(
    'reports.schedule',
    async (p) => {
      const family = p.family && isReportFamily(p.family) ? [p.family] : undefined;
      // Queued before the connection stopped (paused, disconnected): nothing to ask Stripe for now.
      await reports.schedule(p.connectionId, { families: family, force: p.force === true }).catch((err: unknown) => {
        if (!(err instanceof ConflictError)) throw err;
      });
    },
    { lane: 'live', payload: z.object({ connectionId: z.string().min(1), family: z.string().optional(), force: z.boolean().optional() }) },
  );
  jobs.register('reports.check', () => reports.checkDue(), { lane: 'live', payload: z.object({}) });
}

/** Pending runs are checked every 30 s (each with its own backoff); every day, new data is asked for. */
export function scheduleReportJobs(jobs: Jobs, db: Db): void {
  jobs.every('reports.check', CHECK_INTERVAL_MS, async () => jobs.enqueue('reports.check', {}, { key: 'all' }));
  jobs.every('reports.daily', DAILY_MS, async () => {
    for (const id of await connectionIdsIn(db, ['live'])) {
      await jobs.enqueue('reports.schedule', { connectionId: id }, { key: id });
    }
  });
}

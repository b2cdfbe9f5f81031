import type { Db } from '../db/database.js';
import type { JobRunner } from '../jobs/job-runner.js';
import type { ImportService } from '../sync/import-service.js';
import { ACTIVE_STATES } from '../../shared/connection-states.js';
import type { EventService } from './event-service.js';
import { accountsWithPending } from './inbox.js';

export const POLL_INTERVAL_MS = 15_000;
const POLL_JITTER_MS = 3_000;
const RETRY_PENDING_MS = 30_000;

export function registerEventJobs(jobs: JobRunner, events: EventService, imports: ImportService): void {
  jobs.register('events.process', async (p) => {
    await events.processPending(String(p.accountId));
  });
  jobs.register('events.poll', async (p) => {
    await events.poll(String(p.connectionId));
  });
  jobs.register('import.range', async (p) => {
    await imports.run(String(p.connectionId), { since: Number(p.since) });
  });
}

/** The schedules of a serving process: poll every active connection, retry pending events. */
export function scheduleEventJobs(jobs: JobRunner, db: Db): void {
  jobs.every('events.poll', POLL_INTERVAL_MS, async () => {
    const rows = await db('connections').whereIn('state', ACTIVE_STATES as string[]).select('id');
    for (const { id } of rows) jobs.enqueueIn(Math.floor(Math.random() * POLL_JITTER_MS), 'events.poll', { connectionId: id }, { key: String(id) });
  });
  jobs.every('events.process', RETRY_PENDING_MS, async () => {
    for (const accountId of await accountsWithPending(db)) jobs.enqueue('events.process', { accountId }, { key: accountId });
  });
}

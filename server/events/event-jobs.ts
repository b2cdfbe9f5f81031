import { z } from 'zod';
import type { Db } from '../db/database.js';
import type { Jobs } from '../jobs/jobs.js';
import type { ImportService } from '../sync/import-service.js';
import type { EventService } from './event-service.js';
import { accountsWithPending } from './inbox.js';
import { claimDuePolls } from './watermark-store.js';

/** How often due polls are looked for; each connection's own interval is adaptive (event-service.ts). */
const POLL_SCHEDULE_MS = 1_000;
const RETRY_PENDING_MS = 30_000;
/** Due polls queued per scheduling round: a fair, oldest-due-first share when thousands are due. */
const POLLS_PER_ROUND = 500;

const byAccount = z.object({ accountId: z.string().min(1) });
const byConnection = z.object({ connectionId: z.string().min(1) });

export function registerEventJobs(jobs: Jobs, events: EventService, imports: ImportService): void {
  jobs.register(
    'events.process',
    async (p) => {
      await events.processPending(p.accountId);
    },
    { lane: 'live', payload: byAccount },
  );
  jobs.register(
    'events.refresh_versions',
    async (p) => {
      await events.refreshVersions(p.accountId);
    },
    { lane: 'live', payload: byAccount },
  );
  jobs.register(
    'events.poll',
    async (p) => {
      await events.poll(p.connectionId);
    },
    { lane: 'live', payload: byConnection },
  );
  // Events past Stripe's retention: the gap is imported again, as long work.
  jobs.register(
    'import.range',
    async (p, { signal }) => {
      await imports.run(p.connectionId, { since: p.since, signal });
    },
    { lane: 'import', payload: byConnection.extend({ since: z.number().int() }) },
  );
}

/**
 * Claims the connections whose poll is due (watermark-store.ts) and queues their polls; the poll
 * itself then sets the connection's next time from what it found.
 */
export async function queueDuePolls(jobs: Jobs, db: Db, now = Date.now()): Promise<number> {
  const ids = await claimDuePolls(db, now, POLLS_PER_ROUND);
  await jobs.enqueueMany(
    'events.poll',
    ids.map((id) => ({ payload: { connectionId: id }, key: id })),
  );
  return ids.length;
}

/** The schedules of a process that works jobs: queue due polls, retry pending events. */
export function scheduleEventJobs(jobs: Jobs, db: Db): void {
  jobs.every('events.poll', POLL_SCHEDULE_MS, async () => {
    await queueDuePolls(jobs, db);
  });
  jobs.every('events.process', RETRY_PENDING_MS, async () => {
    await jobs.enqueueMany(
      'events.process',
      (await accountsWithPending(db)).map((accountId) => ({ payload: { accountId }, key: accountId })),
    );
  });
}

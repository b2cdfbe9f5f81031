import type { Db } from '../db/database.js';
import type { Jobs } from '../jobs/jobs.js';
import type { ImportService } from '../sync/import-service.js';
import { ACTIVE_STATES } from '../../shared/connection-states.js';
import type { EventService } from './event-service.js';
import { accountsWithPending } from './inbox.js';

/** How often due polls are looked for; each connection's own interval is adaptive (event-service.ts). */
export const POLL_SCHEDULE_MS = 1_000;
const RETRY_PENDING_MS = 30_000;
/** Due polls queued per scheduling round: a fair, oldest-due-first share when thousands are due. */
const POLLS_PER_ROUND = 500;

export function registerEventJobs(jobs: Jobs, events: EventService, imports: ImportService): void {
  jobs.register('events.process', async (p) => {
    await events.processPending(String(p.accountId));
  });
  jobs.register('events.poll', async (p) => {
    await events.poll(String(p.connectionId));
  });
  jobs.register('import.range', async (p, { signal }) => {
    await imports.run(String(p.connectionId), { since: Number(p.since), signal });
  });
}

/**
 * Claims the connections whose poll is due, oldest first, and queues their polls. The claim moves
 * `next_poll_at` forward in the same statement, so schedulers in several processes never queue the
 * same poll twice; the poll itself then sets the connection's next time from what it found.
 */
export async function queueDuePolls(jobs: Jobs, db: Db, now = Date.now()): Promise<number> {
  const due = await db({ c: 'connections' }).leftJoin({ w: 'event_watermarks' }, 'w.connection_id', 'c.id')
    .whereIn('c.state', ACTIVE_STATES as string[]).where((w) => w.whereNull('w.next_poll_at').orWhere('w.next_poll_at', '<=', now))
    .orderByRaw('w.next_poll_at asc nulls first').limit(POLLS_PER_ROUND).select('c.id', { interval: 'w.poll_interval_ms', next: 'w.next_poll_at' });
  let queued = 0;
  for (const row of due) {
    const id = String(row.id);
    if (row.next !== null && row.next !== undefined) {
      const claimed = await db('event_watermarks').where({ connection_id: id, next_poll_at: row.next })
        .update({ next_poll_at: now + Math.max(Number(row.interval ?? 0), POLL_SCHEDULE_MS) * 2 });
      if (claimed !== 1) continue;
    }
    await jobs.enqueue('events.poll', { connectionId: id }, { key: id });
    queued++;
  }
  return queued;
}

/** The schedules of a process that works jobs: queue due polls, retry pending events. */
export function scheduleEventJobs(jobs: Jobs, db: Db): void {
  jobs.every('events.poll', POLL_SCHEDULE_MS, async () => {
    await queueDuePolls(jobs, db);
  });
  jobs.every('events.process', RETRY_PENDING_MS, async () => {
    for (const accountId of await accountsWithPending(db)) await jobs.enqueue('events.process', { accountId }, { key: accountId });
  });
}

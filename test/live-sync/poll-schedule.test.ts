import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertConnection, transition } from '../../server/connections/connection-repository.js';
import { queueDuePolls } from '../../server/events/event-jobs.js';
import { JobRunner } from '../../server/jobs/job-runner.js';
import { DIALECTS, createTestDatabase, type TestDatabase } from '../support/databases.js';
import { capturedLogger } from '../support/log-capture.js';

describe.each(DIALECTS)('poll scheduling on %s', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });
  afterAll(() => database.drop());

  it('queues each due connection once, oldest due first, and leaves the rest for later', async () => {
    const { db } = database;
    const now = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = await insertConnection(
        db,
        { accountId: `acct_sched${i}`, livemode: false, authKind: 'api_key', installSource: 'api_key' },
        'test',
      );
      await transition(db, id, 'live', 'test');
      ids.push(id);
    }
    // 0: never polled; 1 and 2: due (2 is older); 3: due later; 4: paused.
    await db('event_watermarks').insert([
      { connection_id: ids[1], watermark: 0, updated_at: now, next_poll_at: now - 1_000, poll_interval_ms: 2_000 },
      { connection_id: ids[2], watermark: 0, updated_at: now, next_poll_at: now - 5_000, poll_interval_ms: 15_000 },
      { connection_id: ids[3], watermark: 0, updated_at: now, next_poll_at: now + 10_000, poll_interval_ms: 15_000 },
    ]);
    await transition(db, ids[4]!, 'paused', 'test');
    const jobs = new JobRunner(capturedLogger().logger);
    const polled: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    jobs.register('events.poll', async (p) => {
      polled.push(String(p.connectionId));
      await gate;
    });
    expect(await queueDuePolls(jobs, db, now)).toBe(3);
    // A second scheduler (another process) in the same instant finds nothing left to claim.
    expect(await queueDuePolls(jobs, db, now)).toBe(1);
    release();
    await jobs.idle();
    expect(polled.sort()).toEqual([ids[0], ids[1], ids[2], ids[0]].sort());
    const claimed = await db('event_watermarks').whereIn('connection_id', ids.slice(1, 3)).select('next_poll_at');
    for (const row of claimed) expect(Number(row.next_poll_at)).toBeGreaterThan(now + 30_000);
  });
});

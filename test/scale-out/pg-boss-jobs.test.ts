import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection, insertConnection } from '../../server/connections/connection-repository.js';
import { recordDeadLetter } from '../../server/jobs/dead-letters.js';
import { connectionStatus } from '../../server/status/connection-status.js';
import { PgBossJobs } from '../../server/jobs/pg-boss-jobs.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { testConfig } from '../support/config.js';
import { capturedLogger } from '../support/log-capture.js';
import { until } from '../support/workers.js';

// The pg-boss backend itself, two instances standing in for two processes on one PostgreSQL.
describe('pg-boss job backend on postgres', () => {
  let database: TestDatabase;
  const made: PgBossJobs[] = [];
  const backend = (retryLimit = 5) => {
    const jobs = new PgBossJobs({
      db: database.db,
      connectionString: database.url,
      logger: capturedLogger('error').logger,
      leaseSeconds: 5,
      retryLimit,
      maintenanceIntervalSeconds: 1,
      onDeadLetter: (job, payload, error, attempts) => recordDeadLetter(database.db, { job, payload, error, attempts }),
    });
    made.push(jobs);
    return jobs;
  };

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
  });
  afterAll(async () => {
    for (const jobs of made) await jobs.stop();
    await database.drop();
  });

  it("dead-letters a job that fails every attempt, and the connection's status shows it", async () => {
    const id = await insertConnection(
      database.db,
      { accountId: 'acct_1DeadLetters', livemode: false, authKind: 'api_key', installSource: 'api_key' },
      'test',
    );
    const jobs = backend(1);
    let attempts = 0;
    jobs.register('reports.schedule', async () => {
      attempts++;
      throw new Error('Stripe keeps answering 500');
    });
    await jobs.start();
    await jobs.enqueue('reports.schedule', { connectionId: id }, { key: id });
    const status = await until(
      'the job to be dead-lettered',
      async () => connectionStatus(database.db, testConfig(), (await getConnection(database.db, id))!),
      (s) => s.dead_jobs.length > 0,
      30_000,
    );
    expect(attempts).toBe(2);
    expect(status.dead_jobs[0]).toMatchObject({ job: 'reports.schedule', error: 'Stripe keeps answering 500', attempts: 2 });
    await jobs.stop();
  });

  it('hands a running job back on stop; another process finishes it', async () => {
    const first = backend();
    const second = backend();
    const ran: string[] = [];
    first.register('import.start', async (_p, { signal }) => {
      ran.push('first');
      await new Promise((resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    });
    second.register('import.start', async () => {
      ran.push('second');
    });
    await first.start();
    await first.enqueue('import.start', { connectionId: 'conn_handback000000' }, { key: 'conn_handback000000' });
    await until(
      'the first process to take the job',
      async () => ran.length,
      (n) => n === 1,
      15_000,
    );
    const stopped = Date.now();
    await first.stop();
    expect(Date.now() - stopped).toBeLessThan(5_000);
    await second.start();
    await until(
      'the second process to finish it',
      async () => ran,
      (r) => r.includes('second'),
      30_000,
    );
    expect(ran).toEqual(['first', 'second']);
  });
});

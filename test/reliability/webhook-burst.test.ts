import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import knexFactory from 'knex';
import sqlite3 from 'sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dialect } from '../../server/db/database.js';
import { createTestDatabase, DIALECTS, POSTGRES_ADMIN_URL, type TestDatabase } from '../support/databases.js';
import { freePort } from '../support/http.js';
import { processEnv, spawnProcess, until, type Worker } from '../support/workers.js';

const LOAD = fileURLToPath(new URL('../support/webhook-load.ts', import.meta.url));
const run = promisify(execFile);
const EVENTS = 20_000;
const DUPLICATES = 2_000;
const SECRET = `whsec_${randomBytes(16).toString('hex')}`;
const ACCOUNT = 'acct_1BurstAccount00';

interface LoadResult {
  sent: number;
  seconds: number;
  accepted_per_second: number;
  statuses: Record<string, number>;
  stamp: number;
  refused: number[];
  unacknowledged: number[];
}

/**
 * 20,000 events (and 2,000 second deliveries) in one burst at the server process, with its
 * database made unavailable part way through: it answers 503 while it cannot store, never 2xx for
 * an event it did not store; Stripe's redelivery of what was refused then lands, and every event
 * is stored exactly once.
 */
describe.each(DIALECTS)('a webhook burst with the database going away on %s', (dialect: Dialect) => {
  let database: TestDatabase;
  let server: Worker;
  let url: string;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = await spawnProcess(
      ['server'],
      processEnv(url, database.url, { STRIPE_WEBHOOK_SECRETS: SECRET, LOG_LEVEL: 'warn', SANDBOX: '0' }),
      { url: `${url}/healthz` },
    );
  }, 60_000);

  afterAll(async () => {
    if (server?.process.exitCode === null) server.process.kill('SIGKILL');
    await server?.exited;
    await database?.drop();
  });

  const load = async (options: Record<string, unknown>) => {
    const setup = { url: `${url}/webhooks/stripe`, secret: SECRET, count: EVENTS, concurrency: 32, account: ACCOUNT, ...options };
    const { stdout } = await run(process.execPath, ['--import', 'tsx', LOAD, JSON.stringify(setup)], { maxBuffer: 1 << 24 });
    return JSON.parse(stdout) as LoadResult;
  };
  /** Until one probe delivery (another account, so the counts above hold) is refused with 503. */
  const refusedProbe = async () => {
    for (let i = 0; i < 20; i++) {
      const probe = await load({ count: 1, duplicates: 0, account: 'acct_1BurstProbe000', stamp: 1_000_000 + i });
      if (probe.statuses['503']) return;
    }
    throw new Error('the server never refused a delivery during the outage');
  };

  it('stores every event exactly once and acknowledges nothing it did not store', async () => {
    const burst = load({ duplicates: DUPLICATES });
    // The database goes away for a while once the burst is well under way (past the events that
    // are delivered twice, so some refused events have no second delivery and need Stripe's retry).
    await until(
      'the burst to be under way',
      async () => Number((await database.db('event_inbox').count({ n: '*' }))[0]!.n),
      (n) => n >= 3000,
      60_000,
    );
    // The outage lasts until the server has certainly refused a delivery (a probe of our own got
    // 503), not for a fixed time that a fast machine can outrun.
    await (dialect === 'sqlite' ? sqliteOutage : postgresOutage)(database.url, refusedProbe);
    const first = await burst;

    expect(first.sent).toBe(EVENTS + DUPLICATES);
    expect(first.statuses['503'] ?? 0, JSON.stringify(first.statuses)).toBeGreaterThan(0);
    expect(
      Object.keys(first.statuses).filter((s) => s !== '200' && s !== '503'),
      JSON.stringify(first.statuses),
    ).toEqual([]);
    expect(first.unacknowledged.length, JSON.stringify({ statuses: first.statuses, refused: first.refused })).toBeGreaterThan(0);
    // Nothing acknowledged is lost: every event that got a 2xx is in the inbox.
    const storedIds = async () =>
      new Set(
        (await database.db('event_inbox').where({ account_id: ACCOUNT }).select('event_id')).map((r: { event_id: string }) => r.event_id),
      );
    const refused = new Set(first.unacknowledged);
    const afterBurst = await storedIds();
    const lost = Array.from({ length: EVENTS }, (_, i) => i).filter(
      (i) => !refused.has(i) && !afterBurst.has(`evt_load_${i}_${first.stamp}`),
    );
    expect(lost).toEqual([]);

    // Stripe redelivers what was refused; then all of it is there, once.
    const again = await load({ only: first.unacknowledged, stamp: first.stamp });
    expect(again.statuses).toEqual({ 200: first.unacknowledged.length });
    const rows = await database
      .db('event_inbox')
      .where({ account_id: ACCOUNT })
      .count({ n: '*' })
      .countDistinct({ ids: 'event_id' })
      .sum({ deliveries: 'deliveries' });
    expect(Number(rows[0]!.n)).toBe(EVENTS);
    expect(Number(rows[0]!.ids)).toBe(EVENTS);
    expect(Number(rows[0]!.deliveries)).toBeGreaterThanOrEqual(EVENTS + 1);
    console.log(
      JSON.stringify({
        dialect,
        deliveries: first.sent,
        seconds: first.seconds,
        per_second: first.accepted_per_second,
        statuses: first.statuses,
        redelivered: again.sent,
        stored: EVENTS,
      }),
    );
    // The process is still serving.
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  }, 240_000);
});

/** Another connection holds SQLite's write lock (longer than the server's busy timeout) until `until` resolves. */
async function sqliteOutage(databaseUrl: string, until: () => Promise<void>): Promise<void> {
  const file = databaseUrl.replace(/^sqlite:/, '');
  const blocker = new sqlite3.Database(file);
  const exec = (sql: string) => new Promise<void>((ok, fail) => blocker.exec(sql, (err) => (err ? fail(err) : ok())));
  await exec('PRAGMA busy_timeout = 10000; BEGIN EXCLUSIVE');
  try {
    await until();
  } finally {
    await exec('COMMIT');
  }
  await new Promise<void>((ok) => blocker.close(() => ok()));
}

/** PostgreSQL refuses the database's connections and drops the open ones until `until` resolves, then comes back. */
async function postgresOutage(databaseUrl: string, until: () => Promise<void>): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const admin = knexFactory({ client: 'pg', connection: POSTGRES_ADMIN_URL, pool: { min: 0, max: 1 } });
  try {
    await admin.raw(`alter database ${name} allow_connections false`);
    await admin.raw('select pg_terminate_backend(pid) from pg_stat_activity where datname = ? and pid <> pg_backend_pid()', [name]);
    try {
      await until();
    } finally {
      await admin.raw(`alter database ${name} allow_connections true`);
    }
  } finally {
    await admin.destroy();
  }
}

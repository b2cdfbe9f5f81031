import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectWithApiKey } from '../../server/connections/api-key-connect.js';
import { compareWithTruth, seededAccount } from '../backfill/support.js';
import { control } from '../support/emulator.js';
import { startCluster, until, type Cluster } from '../support/workers.js';

type Traffic = { per_second: Record<string, number>; rate_limited: number; max_in_flight: Record<string, number> };

// Real `pi-stripe worker` processes on PostgreSQL (JOB_BACKEND=pg-boss). PostgreSQL only: pg-boss
// exists there alone; the embedded backend runs the rest of the suite on both databases.
describe('pg-boss workers on postgres', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster();
    for (let i = 0; i < 3; i++) await cluster.startWorker();
  }, 120_000);
  afterAll(() => cluster?.close());

  const connect = async (account: { keys: { test: string } }, name: string) =>
    (await connectWithApiKey(cluster.config, cluster.services.connections, cluster.services.limiters, { name, api_key: account.keys.test }))
      .connection.id;
  const stateOf = async (id: string) => String((await cluster.database.db('connections').where({ id }).first('state')).state);
  const traffic = (account: string) => control<Traffic>(cluster.emulator, 'GET', `/traffic?account=${account}`);

  it('three workers import several connections, storing every id exactly once', async () => {
    const accounts = await Promise.all([1, 2, 3, 4].map(() => seededAccount(cluster, 150)));
    const ids = await Promise.all(accounts.map((a, i) => connect(a, `Shop ${i}`)));
    await until(
      'every import to finish',
      () => Promise.all(ids.map(stateOf)),
      (states) => states.every((s) => s === 'live'),
      90_000,
    );
    for (const account of accounts) {
      for (const [table, r] of Object.entries(await compareWithTruth(cluster, account.id))) {
        expect({ table, missing: r.missing.length, duplicates: r.duplicates, stored: r.stored }).toEqual({
          table,
          missing: 0,
          duplicates: 0,
          stored: r.expected,
        });
      }
    }
  }, 150_000);

  it("finishes a killed worker's import elsewhere from its checkpoint, losing nothing", async () => {
    await control(cluster.emulator, 'POST', '/settings', { latencyMs: 40 });
    const account = await seededAccount(cluster, 1500);
    const id = await connect(account, 'Big Shop');
    const holder = await until(
      'an import job to hold a lock',
      async () => {
        const lock = await cluster.database.db('job_locks').where('lock_key', 'like', `import:${id}:%`).first();
        const objects = Number((await cluster.database.db('backfill_runs').where({ connection_id: id }).sum({ n: 'objects' }))[0]!.n ?? 0);
        return lock && objects > 0 ? String(lock.holder) : null;
      },
      (h) => h !== null,
      60_000,
    );
    const victim = cluster.workers.find((w) => holder!.includes(`:${w.pid}:`))!;
    expect(victim).toBeDefined();
    victim.process.kill('SIGKILL');
    await victim.exited;
    await until(
      'the import to finish on the other workers',
      () => stateOf(id),
      (s) => s === 'live',
      120_000,
    );
    await control(cluster.emulator, 'POST', '/settings', { latencyMs: 0 });
    for (const [table, r] of Object.entries(await compareWithTruth(cluster, account.id))) {
      expect({ table, missing: r.missing.length, duplicates: r.duplicates }).toEqual({ table, missing: 0, duplicates: 0 });
    }
    await cluster.startWorker();
  }, 200_000);

  it("never runs one connection's poll twice at once, however often it is asked for", async () => {
    const account = await seededAccount(cluster, 5);
    const id = await connect(account, 'Polled Shop');
    await until(
      'import',
      () => stateOf(id),
      (s) => s === 'live',
      60_000,
    );
    await control(cluster.emulator, 'POST', '/settings', { latencyMs: 150 });
    const stopAt = Date.now() + 6_000;
    while (Date.now() < stopAt) {
      await cluster.services.jobs.enqueue('events.poll', { connectionId: id }, { key: id });
      await new Promise((r) => setTimeout(r, 20));
    }
    await control(cluster.emulator, 'POST', '/settings', { latencyMs: 0 });
    const seen = await traffic(account.id);
    const polls = (await control<Record<string, number>>(cluster.emulator, 'GET', '/requests'))[`${account.id} GET /v1/events`] ?? 0;
    expect(polls).toBeGreaterThan(5);
    expect(seen.max_in_flight['GET /v1/events']).toBe(1);
  }, 90_000);

  it('keeps an account inside its Stripe budget across all three workers', async () => {
    // About 20,000 objects: several seconds of importing against the account's budget.
    const account = await seededAccount(cluster, 6000);
    const id = await connect(account, 'Busy Shop');
    await until(
      'import',
      () => stateOf(id),
      (s) => s === 'live',
      150_000,
    );
    const seen = await traffic(account.id);
    const seconds = Object.values(seen.per_second);
    const total = seconds.reduce((a, b) => a + b, 0);
    // Stripe allows 25 requests per second in test mode. The import ran as seven resource jobs over
    // three workers (six at once); each process alone would have allowed itself 22.5 per second.
    expect(Math.max(...seconds), JSON.stringify(seen.per_second)).toBeLessThanOrEqual(25);
    // How much of the budget the import used is a speed, measured by bench/backfill.ts, not asserted here.
    // The emulator's windows slide; a request that took its token late can land in a full one.
    expect(seen.rate_limited, JSON.stringify(seen)).toBeLessThanOrEqual(Math.ceil(total * 0.005));
  }, 200_000);
});

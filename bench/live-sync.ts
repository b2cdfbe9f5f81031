// Live-sync apply throughput for one busy account: `npx tsx bench/live-sync.ts [--payments 600]
//   [--latency 150] [--faults] [--db sqlite|postgres|both] [--runs 3] [--lanes N] [--api-version 2024-06-20]`
// The merchant takes `payments` payments (every tenth refunded) while we are not looking; then one
// poll reads the backlog of events and processing applies it (objects, links, fees). Prints JSON:
// per run the seconds to apply, events and payments per second, Stripe requests made, and whether
// the database then equals the emulator. Live-mode limits; `latency` per Stripe request (Stripe's
// own is 100–400 ms); `--faults` adds the chaos test's 5% 429s, 3% 500s and 2% resets.
// `--api-version` renders the account's events in that version: applying then costs what it costs
// (fetches where a stored field differs), and `version_refresh` is the lazy refetch afterwards.
// The emulator runs in a child process so its CPU is not ours.
import { parseArgs } from 'node:util';
import { parseConfig } from '../server/config.js';
import { connectWithApiKey } from '../server/connections/api-key-connect.js';
import type { Dialect } from '../server/db/database.js';
import { createLogger } from '../server/logging/logger.js';
import { createServices } from '../server/services.js';
import { compareWithTruth, countDifferences } from '../test/backfill/support.js';
import { createTestDatabase } from '../test/support/databases.js';
import { control, injectApiFaults } from '../test/support/emulator.js';
import type { Emulator } from '../server/emulator/index.js';
import { startEmulatorChild, type EmulatorChild } from './emulator-child.js';

const { values } = parseArgs({
  options: {
    payments: { type: 'string', default: '600' },
    latency: { type: 'string', default: '150' },
    faults: { type: 'boolean', default: false },
    db: { type: 'string', default: 'sqlite' },
    runs: { type: 'string', default: '3' },
    lanes: { type: 'string' },
    'api-version': { type: 'string' },
  },
});
const PAYMENTS = Number(values.payments);
const MODE = 'live' as const;

async function runOnce(handle: EmulatorChild, dialect: Dialect) {
  const emulator = handle as unknown as Emulator & typeof handle; // control() and compareWithTruth() need only its URLs
  const database = await createTestDatabase(dialect);
  const config = parseConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    STRIPE_API_BASE: emulator.url,
    LOG_LEVEL: 'silent',
    EVENT_POLL_LAG_SECONDS: '0',
    ENCRYPTION_KEYS: Buffer.alloc(32, 9).toString('base64'),
    SUPPORT_TOKENS: 'bench-support-token-0123456789',
  });
  const services = createServices(
    config,
    database.db,
    createLogger({ level: 'silent' }),
    values.lanes ? { eventLanes: Number(values.lanes) } : {},
  );
  await services.jobs.stop(); // the benchmark polls and processes itself
  await control(emulator, 'DELETE', '/faults');
  const { connection } = await connectWithApiKey(config, services.connections, services.limiters, { name: 'Bench', api_key: emulator.key });
  // Catch up on everything before this run (earlier runs' payments), so the backlog is this run's.
  await services.imports.run(connection.id, { full: true });
  await services.events.poll(connection.id);
  await services.events.processPending(connection.accountId);

  // The backlog: payments (every tenth refunded) made while nothing was reading.
  await new Promise((r) => setTimeout(r, 1100));
  for (let i = 0; i < PAYMENTS; i++) {
    const made = await control<{ charge: { id: string } | null }>(emulator, 'POST', '/scenarios/payment', {
      account: emulator.account,
      mode: MODE,
      amount: 1000 + i,
    });
    if (i % 10 === 9 && made.charge)
      await control(emulator, 'POST', '/scenarios/refund', { account: emulator.account, mode: MODE, charge: made.charge.id });
  }
  await new Promise((r) => setTimeout(r, 1100));
  if (values.faults) await injectApiFaults(emulator);
  await control(emulator, 'DELETE', '/requests');

  const started = Date.now();
  const { stored } = await services.events.poll(connection.id);
  const polled = Date.now();
  const applied = await services.events.processPending(connection.accountId);
  const finished = Date.now();
  const requestsOf = async () =>
    Object.entries(await control<Record<string, number>>(emulator, 'GET', '/requests'))
      .filter(([k]) => k.startsWith(`${emulator.account} `))
      .reduce((n, [, v]) => n + v, 0);
  const beforeRefresh = await requestsOf();
  let refreshed = 0;
  for (let n; (n = await services.events.refreshVersions(connection.accountId)) > 0;) refreshed += n;
  const refreshSeconds = (Date.now() - finished) / 1000;
  const refreshRequests = (await requestsOf()) - beforeRefresh;
  await control(emulator, 'DELETE', '/faults');

  // The emulator counts each request twice, overall and under its account: keep the account's.
  const counted = await control<Record<string, number>>(emulator, 'GET', '/requests');
  // (These include the version refresh; `version_refresh` says how many were its own.)
  const requests = Object.fromEntries(
    Object.entries(counted)
      .filter(([k]) => k.startsWith(`${emulator.account} `))
      .map(([k, n]) => [k.slice(emulator.account.length + 1), n]),
  );
  const report = await compareWithTruth({ emulator, database }, emulator.account, MODE);
  await services.jobs.stop();
  await database.drop();
  const applySeconds = (finished - polled) / 1000;
  return {
    database: dialect,
    events: stored,
    applied,
    poll_seconds: (polled - started) / 1000,
    apply_seconds: applySeconds,
    events_per_second: Math.round((applied / applySeconds) * 10) / 10,
    payments_per_second: Math.round((PAYMENTS / applySeconds) * 10) / 10,
    stripe_requests: requests,
    version_refresh: { objects: refreshed, requests: refreshRequests, seconds: refreshSeconds },
    differences: countDifferences(report),
  };
}

const emulator = await startEmulatorChild({
  payments: 0,
  days: 1,
  mode: MODE,
  latencyMs: Number(values.latency),
  limits: true,
  burst: 0,
  apiVersion: values['api-version'],
});
try {
  const kinds = (values.db === 'both' ? ['sqlite', 'postgres'] : [values.db!]) as Dialect[];
  const runs: Awaited<ReturnType<typeof runOnce>>[] = [];
  for (const kind of kinds) for (let i = 0; i < Number(values.runs); i++) runs.push(await runOnce(emulator, kind));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  process.stdout.write(
    JSON.stringify(
      {
        benchmark: 'live-sync',
        node: process.version,
        lanes: values.lanes ? Number(values.lanes) : 'default',
        payments: PAYMENTS,
        latency_ms: Number(values.latency),
        faults: values.faults,
        api_version: values['api-version'] ?? 'ours',
        median_payments_per_second: Object.fromEntries(
          kinds.map((k) => [k, median(runs.filter((r) => r.database === k).map((r) => r.payments_per_second))]),
        ),
        runs,
      },
      null,
      2,
    ) + '\n',
  );
} finally {
  emulator.stop();
}

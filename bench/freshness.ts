// Event freshness at scale: `npx tsx bench/freshness.ts [--connections 1000] [--workers 3] [--seconds 60] [--rate 10]
//   [--poll-max S] [--lag S]`. PostgreSQL, JOB_BACKEND=pg-boss, real `pi-stripe worker` processes, the emulator
// in its own process. Creates `rate` payments per second on random connected accounts for `seconds`,
// then prints JSON: p50/p95/p99 of event-to-database lag (event created at Stripe → stored here) and
// each worker's CPU use. Goal: p95 < 10 s at 1,000 connections with three workers.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfig } from '../server/config.js';
import { insertConnection, transition } from '../server/connections/connection-repository.js';
import { createLogger } from '../server/logging/logger.js';
import { RESOURCES } from '../server/resources/registry.js';
import { createServices } from '../server/services.js';
import { createTestDatabase } from '../test/support/databases.js';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '1000' },
    workers: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '60' },
    rate: { type: 'string', default: '10' },
    'poll-max': { type: 'string', default: '15' },
    lag: { type: 'string', default: '5' },
  },
});
const n = Number(values.connections);
const ROOT = join(import.meta.dirname, '..');

const emulatorProcess = spawn(
  process.execPath,
  ['--import', 'tsx', join(import.meta.dirname, 'freshness-emulator.ts'), JSON.stringify({ accounts: n })],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
const emulator = JSON.parse(await new Promise<string>((r) => createInterface({ input: emulatorProcess.stdout! }).once('line', r))) as {
  url: string;
  controlUrl: string;
  accounts: { id: string; key: string }[];
};
const database = await createTestDatabase('postgres');
const env: Record<string, string> = {
  NODE_ENV: 'test',
  DATABASE_URL: database.url,
  JOB_BACKEND: 'pg-boss',
  STRIPE_API_BASE: emulator.url,
  LOG_LEVEL: 'warn',
  ENCRYPTION_KEYS: randomBytes(32).toString('base64'),
  SUPPORT_TOKENS: 'bench-support-token-0123456789',
  RUN_JOBS: '0',
  EVENT_POLL_MAX_SECONDS: String(values['poll-max']),
  EVENT_POLL_LAG_SECONDS: String(values.lag),
};
const config = parseConfig(env);
const services = createServices(config, database.db, createLogger({ level: 'warn' }));

// Connections already imported: the benchmark is about live sync, not the backfill.
const now = Math.floor(Date.now() / 1000);
for (const account of emulator.accounts) {
  const id = await insertConnection(
    database.db,
    { accountId: account.id, livemode: false, authKind: 'api_key', installSource: 'api_key', name: account.id },
    'benchmark',
  );
  await services.secrets.put(id, 'api_key', account.key);
  await database.db('backfill_runs').insert(
    RESOURCES.map((r) => ({
      connection_id: id,
      resource: r.name,
      created_lt: now,
      state: 'succeeded',
      started_at: Date.now(),
      finished_at: Date.now(),
    })),
  );
  await database.db('event_watermarks').insert({ connection_id: id, watermark: now, updated_at: Date.now() });
  await transition(database.db, id, 'live', 'benchmark: history imported');
}

const cpuSeconds = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
const workers = await Promise.all(
  Array.from({ length: Number(values.workers) }, async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server/cli/main.ts'), 'worker'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((r) =>
      child.stdout!.on('data', (d: Buffer) => {
        if (String(d).includes('started')) r();
      }),
    );
    return child;
  }),
);
// Let every connection get its first poll, so the stream starts against a steady schedule.
await new Promise((r) => setTimeout(r, Number(values['poll-max']) * 1000 + 5000));

const cpuBefore = workers.map((w) => cpuSeconds(w.pid!));
const started = Date.now();
const streamFrom = Math.floor(started / 1000);
let payments = 0;
const seconds = Number(values.seconds);
const rate = Number(values.rate);
while (Date.now() - started < seconds * 1000) {
  const account = emulator.accounts[Math.floor(Math.random() * n)]!;
  await fetch(`${emulator.controlUrl}/scenarios/payment`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ account: account.id }),
  });
  payments++;
  const due = started + (payments / rate) * 1000;
  if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
}
const wall = (Date.now() - started) / 1000;
const cpu = workers.map((w, i) => +(((cpuSeconds(w.pid!) - cpuBefore[i]!) / wall) * 100).toFixed(1));
// Drain: everything created during the stream must be stored.
await new Promise((r) => setTimeout(r, (Number(values['poll-max']) + Number(values.lag)) * 1000 + 10_000));
const rows = await database.db('event_inbox').where('created', '>=', streamFrom).select('created', 'received_at', 'processed_at');
const lags = rows.map((r: Record<string, unknown>) => Number(r.received_at) / 1000 - Number(r.created)).sort((a, b) => a - b);
const pct = (p: number) => +(lags[Math.min(lags.length - 1, Math.floor(lags.length * p))] ?? NaN).toFixed(2);
const applied = rows.filter((r: Record<string, unknown>) => r.processed_at !== null).length;

console.log(
  JSON.stringify(
    {
      benchmark: 'freshness',
      connections: n,
      workers: workers.length,
      seconds: +wall.toFixed(1),
      payments,
      events: rows.length,
      applied,
      poll: { max_interval_s: Number(values['poll-max']), lag_s: Number(values.lag) },
      lag_seconds: { p50: pct(0.5), p95: pct(0.95), p99: pct(0.99), max: +(lags.at(-1) ?? NaN).toFixed(2) },
      worker_cpu_percent: cpu,
      goal_p95_under_10s: pct(0.95) < 10,
    },
    null,
    2,
  ),
);

for (const w of workers) w.kill('SIGTERM');
await Promise.all(workers.map((w) => new Promise((r) => w.once('exit', r))));
await services.jobs.stop();
emulatorProcess.stdin!.end();
await database.drop();
process.exit(0);

// Report ingestion benchmark: `npx tsx bench/reports.ts [--rows N] [--db sqlite|postgres]`
// The emulator (a child process) serves an itemized report of N synthetic rows; we request it,
// wait for it, stream it into report_rows and reconcile. Prints JSON: rows/s, seconds, peak RSS.
import { parseArgs } from 'node:util';
import { parseConfig } from '../server/config.js';
import { connectWithApiKey } from '../server/connections/api-key-connect.js';
import type { Dialect } from '../server/db/database.js';
import { createLogger } from '../server/logging/logger.js';
import { createServices } from '../server/services.js';
import { createTestDatabase } from '../test/support/databases.js';
import { startEmulatorChild } from './emulator-child.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, db: { type: 'string', default: 'sqlite' } } });
const rows = Number(values.rows);

const emulator = await startEmulatorChild({ payments: 50, days: 30, mode: 'test', latencyMs: 0, limits: false, burst: 0 });
try {
  await fetch(`${emulator.controlUrl}/reporting/synthetic_rows`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ count: rows }),
  });
  await fetch(`${emulator.controlUrl}/settings`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ reportRunDelayMs: 10 }),
  });
  const target = await createTestDatabase(values.db as Dialect);
  const config = parseConfig({
    NODE_ENV: 'test',
    DATABASE_URL: target.url,
    STRIPE_API_BASE: emulator.url,
    LOG_LEVEL: 'silent',
    ENCRYPTION_KEYS: Buffer.alloc(32, 4).toString('base64'),
    SUPPORT_TOKENS: 'bench-support-token-0123456789',
  });
  const services = createServices(config, target.db, createLogger({ level: 'silent' }));
  await services.jobs.stop();
  const { connection } = await connectWithApiKey(config, services.connections, services.limiters, { name: 'Bench', api_key: emulator.key });

  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);
  const started = Date.now();
  const [id] = await services.reports.schedule(connection.id, { families: ['balance_change_from_activity.itemized'], force: true });
  for (;;) {
    await target.db('report_runs').where({ id }).update({ next_check_at: 0 });
    await services.reports.checkDue();
    const run = await target.db('report_runs').where({ id }).first();
    if (run.status === 'downloaded' || run.status === 'failed') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (Date.now() - started) / 1000;
  clearInterval(sampler);
  const run = await target.db('report_runs').where({ id }).first();
  const stored = Number((await target.db('report_rows').where({ report_run_id: id }).count({ n: '*' }))[0]!.n);
  await target.drop();
  process.stdout.write(
    JSON.stringify(
      {
        benchmark: 'reports',
        database: values.db,
        rows,
        stored,
        status: run.status,
        seconds: Number(seconds.toFixed(2)),
        rows_per_second: Math.round(stored / seconds),
        peak_rss_mb: Math.round(peakRss / 1024 / 1024),
      },
      null,
      2,
    ) + '\n',
  );
} finally {
  emulator.stop();
}

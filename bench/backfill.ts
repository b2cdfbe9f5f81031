// Backfill benchmark: `npx tsx bench/backfill.ts [--payments N] [--mode limits|unlimited] [--db sqlite|postgres|both]`
// limits:    Stripe's live-mode limits and latency; how close we stay to our configured ceiling.
// unlimited: no limits, no latency; our own ceiling into SQLite and PostgreSQL.
// Prints one JSON object. The emulator runs in a child process so its memory is not ours.
import { parseArgs } from 'node:util';
import Stripe from 'stripe';
import { parseConfig } from '../server/config.js';
import { connectWithApiKey } from '../server/connections/api-key-connect.js';
import type { Dialect } from '../server/db/database.js';
import { createTestDatabase } from '../test/support/databases.js';
import { createLogger } from '../server/logging/logger.js';
import { RESOURCES } from '../server/resources/registry.js';
import { createServices } from '../server/services.js';
import { DEFAULT_LIMIT_FRACTION, STRIPE_LIMITS } from '../server/stripe/rate-limiter.js';
import { startEmulatorChild } from './emulator-child.js';

const { values } = parseArgs({ options: {
  payments: { type: 'string', default: '62000' }, mode: { type: 'string', default: 'limits' }, db: { type: 'string', default: 'sqlite' },
  latency: { type: 'string', default: '250' }, verify: { type: 'boolean', default: false },
} });
const limits = values.mode === 'limits';

async function startEmulatorProcess() {
  const setup = { payments: Number(values.payments), days: 365, mode: 'live' as const, latencyMs: limits ? Number(values.latency) : 0, limits, burst: 250 };
  const profile = process.env.BENCH_EMULATOR_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_EMULATOR_PROFILE}`] : [];
  return startEmulatorChild(setup, profile);
}

async function runOnce(emulator: Awaited<ReturnType<typeof startEmulatorProcess>>, dbKind: string) {
  const target = await createTestDatabase(dbKind as Dialect);
  const config = parseConfig({
    NODE_ENV: 'test', DATABASE_URL: target.url, STRIPE_API_BASE: emulator.url, LOG_LEVEL: 'silent',
    ENCRYPTION_KEYS: Buffer.alloc(32, 9).toString('base64'), SUPPORT_TOKENS: 'bench-support-token-0123456789',
  });
  const { db } = target;
  const unlimited = { global: 1e6, endpoint: 1e6 };
  const services = createServices(config, db, createLogger({ level: 'silent' }), limits ? {} : { rateLimits: { live: unlimited, test: unlimited } });
  await services.jobs.stop(); // the benchmark drives the import itself
  const { connection } = await connectWithApiKey(config, services.connections, services.limiters, { name: 'Bench', api_key: emulator.key });

  let peakRss = 0;
  let ceilingRequests = 0;
  let requests = 0;
  let rateLimited = 0;
  let retried = 0;
  const active = new Set(RESOURCES.map((r) => r.name));
  const live = STRIPE_LIMITS.live;
  let last = Date.now();
  const sampler = setInterval(() => {
    const now = Date.now();
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    // Our configured ceiling right now: the account budget, or the endpoint budgets still in use.
    ceilingRequests += ((now - last) / 1000) * DEFAULT_LIMIT_FRACTION * Math.min(live.global, live.endpoint * active.size);
    last = now;
  }, 50);
  const started = Date.now();
  const outcomes = await services.imports.run(connection.id, {
    verify: values.verify, full: true,
    onProgress: (p) => {
      if (p.state === 'done') active.delete(p.resource);
      else requests++;
    },
    onRetry: (err) => {
      retried++;
      if (err instanceof Stripe.errors.StripeRateLimitError) rateLimited++;
    },
  });
  const seconds = (Date.now() - started) / 1000;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());

  const expected: Record<string, number> = {};
  const stored: Record<string, number> = {};
  for (const r of RESOURCES) {
    expected[r.name] = emulator.counts[r.objectType] ?? 0;
    stored[r.name] = Number((await db(r.table).count({ n: '*' }))[0]!.n);
  }
  const objects = Object.values(stored).reduce((a, b) => a + b, 0);
  const expectedTotal = Object.values(expected).reduce((a, b) => a + b, 0);
  await target.drop();
  return {
    database: dbKind,
    objects,
    seconds: Number(seconds.toFixed(2)),
    objects_per_second: Math.round(objects / seconds),
    list_requests: requests,
    requests_per_second: Number((requests / seconds).toFixed(1)),
    ...(limits ? { configured_ceiling_requests: Math.round(ceilingRequests), ceiling_ratio: Number((requests / ceilingRequests).toFixed(3)) } : {}),
    rate_limited_429: rateLimited,
    retried,
    peak_rss_mb: Math.round(peakRss / 1024 / 1024),
    completeness: Number((objects / expectedTotal).toFixed(6)),
    incomplete: Object.keys(expected).filter((k) => stored[k] !== expected[k]).map((k) => ({ resource: k, expected: expected[k], stored: stored[k] })),
    states: outcomes.map((o) => `${o.resource}:${o.state}`),
  };
}

const emulator = await startEmulatorProcess();
try {
  const kinds = values.db === 'both' ? ['sqlite', 'postgres'] : [values.db!];
  const runs = [];
  for (const kind of kinds) runs.push(await runOnce(emulator, kind));
  process.stdout.write(JSON.stringify({
    benchmark: 'backfill', mode: values.mode, node: process.version, payments: Number(values.payments),
    emulator_objects: emulator.counts, emulator_generate_ms: emulator.generateMs,
    limits: limits ? { ...STRIPE_LIMITS.live, fraction: DEFAULT_LIMIT_FRACTION, latency_ms: Number(values.latency) } : 'off',
    verify: values.verify, runs,
  }, null, 2) + '\n');
} finally {
  emulator.stop();
}

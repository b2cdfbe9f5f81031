// Backfill benchmark, beside the anchor (@supabase/stripe-sync-engine 0.48.5) on the same data:
//   npx tsx bench/backfill.ts [--objects 5000,50000,500000] [--limits test,live|none] [--runs 3]
//                             [--db postgres|sqlite] [--no-anchor] [--no-verify] [--latency 30-120]
// Accounts are shaped as real ones (three years, sparse early years, dense recent months, bursts
// of 150 in one second), connected today; the emulator runs in a child process so its memory is
// not ours. `--limits test` is Stripe's test mode (25 req/s), `live` its live mode (100 req/s per
// account, 25 per endpoint), `none` lifts limits and latency (our own ceiling).
// Prints one JSON object: the median of `--runs` runs of each measure, and the ratios.
import { parseArgs } from 'node:util';
import Stripe from 'stripe';
import { parseConfig } from '../server/config.js';
import { connectWithApiKey } from '../server/connections/api-key-connect.js';
import type { Dialect } from '../server/db/database.js';
import { createTestDatabase } from '../test/support/databases.js';
import { createLogger } from '../server/logging/logger.js';
import { RESOURCES } from '../server/resources/registry.js';
import { createServices } from '../server/services.js';
import { BACKGROUND_SHARE, DEFAULT_LIMIT_FRACTION, STRIPE_LIMITS } from '../server/stripe/rate-limiter.js';
import { ANCHOR_OBJECTS, runAnchor, type AnchorRun } from './anchor-sync-engine.js';
import { startEmulatorChild, type EmulatorChild } from './emulator-child.js';

const { values } = parseArgs({
  options: {
    objects: { type: 'string', default: '5000,50000,500000' },
    limits: { type: 'string', default: 'test,live' },
    runs: { type: 'string', default: '3' },
    db: { type: 'string', default: 'postgres' },
    latency: { type: 'string', default: '30-120' },
    'no-anchor': { type: 'boolean', default: false },
    'no-verify': { type: 'boolean', default: false },
  },
});
const [latencyMin, latencyMax] = values.latency!.split('-').map(Number) as [number, number];
/** Payments for about `objects` objects of the established shape: 3.2 per payment (charge, payment
 *  intent, balance transaction, refunds, disputes…) plus about 2,000 for three years of payouts (measured). */
const paymentsFor = (objects: number) => Math.round(objects / (3.2 + 2000 / objects));
const SHARED = ANCHOR_OBJECTS.map((o) => o.ours) as string[];

type Limits = 'test' | 'live' | 'none';

async function ourImport(emulator: EmulatorChild, limits: Limits, dbKind: Dialect, resources?: string[], verify = false) {
  const target = await createTestDatabase(dbKind);
  const config = parseConfig({
    NODE_ENV: 'test',
    DATABASE_URL: target.url,
    STRIPE_API_BASE: emulator.url,
    LOG_LEVEL: 'silent',
    ENCRYPTION_KEYS: Buffer.alloc(32, 9).toString('base64'),
    SUPPORT_TOKENS: 'bench-support-token-0123456789',
  });
  const { db } = target;
  const unlimited = { global: 1e6, endpoint: 1e6 };
  const services = createServices(
    config,
    db,
    createLogger({ level: 'silent' }),
    limits === 'none' ? { rateLimits: { live: unlimited, test: unlimited } } : {},
  );
  await services.jobs.stop(); // the benchmark drives the import itself
  const { connection } = await connectWithApiKey(config, services.connections, services.limiters, { name: 'Bench', api_key: emulator.key });

  let peakRss = 0;
  let ceilingRequests = 0;
  let requests = 0;
  let rateLimited = 0;
  let retried = 0;
  const active = new Set(resources ?? RESOURCES.map((r) => r.name));
  const stripeLimits = STRIPE_LIMITS[limits === 'live' ? 'live' : 'test'];
  let last = Date.now();
  const sampler = setInterval(() => {
    const now = Date.now();
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    // Our configured ceiling right now: the account budget, or the endpoint budgets still in use.
    if (active.size)
      ceilingRequests +=
        ((now - last) / 1000) * DEFAULT_LIMIT_FRACTION * Math.min(stripeLimits.global, stripeLimits.endpoint * active.size);
    last = now;
  }, 20);
  const started = Date.now();
  const outcomes = await services.imports.run(connection.id, {
    verify: false,
    full: true,
    resources,
    onRequest: () => requests++,
    onProgress: (p) => {
      if (p.state === 'done') active.delete(p.resource);
    },
    onRetry: (err) => {
      retried++;
      if (err instanceof Stripe.errors.StripeRateLimitError) rateLimited++;
    },
  });
  const seconds = (Date.now() - started) / 1000;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());

  let verification: Record<string, unknown> | undefined;
  if (verify) {
    let verifyRequests = 0;
    const t = Date.now();
    const results = await services.imports.verifyImport(connection.id, { onRequest: () => verifyRequests++ });
    const s = (Date.now() - t) / 1000;
    const budget = DEFAULT_LIMIT_FRACTION * stripeLimits.global;
    verification = {
      requests: verifyRequests,
      seconds: Number(s.toFixed(1)),
      requests_per_second: Number((verifyRequests / s).toFixed(2)),
      share_of_budget: Number((verifyRequests / s / budget).toFixed(3)),
      share_allowed: BACKGROUND_SHARE,
      expected: results.reduce((n, v) => n + v.expected, 0),
      found_missing: results.reduce((n, v) => n + v.found_missing, 0),
      repaired: results.reduce((n, v) => n + v.repaired, 0),
      probes_below: results.reduce((n, v) => n + v.below.probes, 0),
    };
  }

  const counted = resources ?? RESOURCES.map((r) => r.name);
  const expected: Record<string, number> = {};
  const stored: Record<string, number> = {};
  for (const r of RESOURCES.filter((x) => counted.includes(x.name))) {
    expected[r.name] = emulator.counts[r.objectType] ?? 0;
    stored[r.name] = Number((await db(r.table).count({ n: '*' }))[0]!.n);
  }
  const objects = Object.values(stored).reduce((a, b) => a + b, 0);
  const expectedTotal = Object.values(expected).reduce((a, b) => a + b, 0);
  await target.drop();
  return {
    objects,
    seconds: Number(seconds.toFixed(2)),
    objects_per_second: Math.round(objects / seconds),
    list_requests: requests,
    objects_per_request: Number((objects / Math.max(1, requests)).toFixed(1)),
    requests_per_second: Number((requests / seconds).toFixed(1)),
    ...(limits !== 'none' ? { ceiling_share: Number((requests / ceilingRequests).toFixed(3)) } : {}),
    rate_limited_429: rateLimited,
    retried,
    peak_rss_mb: Math.round(peakRss / 1024 / 1024),
    completeness: Number((objects / expectedTotal).toFixed(6)),
    incomplete: Object.keys(expected)
      .filter((k) => stored[k] !== expected[k])
      .map((k) => ({ resource: k, expected: expected[k], stored: stored[k] })),
    states: [...new Set(outcomes.map((o) => o.state))],
    ...(verification ? { verification } : {}),
  };
}

/** The median of each numeric measure over the runs (other fields from the median run by objects/s). */
function medians<T extends Record<string, unknown>>(runs: T[]): T {
  const byRate = [...runs].sort((a, b) => Number(a.objects_per_second) - Number(b.objects_per_second));
  const out: Record<string, unknown> = { ...byRate[Math.floor(byRate.length / 2)] };
  for (const [k, v] of Object.entries(out)) {
    if (typeof v !== 'number') continue;
    const sorted = runs.map((r) => Number(r[k])).sort((a, b) => a - b);
    out[k] = sorted[Math.floor(sorted.length / 2)];
  }
  return out as T;
}

const results = [];
for (const objects of values.objects!.split(',').map(Number)) {
  for (const limits of values.limits!.split(',') as Limits[]) {
    const emulator = await startEmulatorChild({
      payments: paymentsFor(objects),
      days: 3 * 365,
      mode: limits === 'live' ? 'live' : 'test',
      latencyMs: limits === 'none' ? 0 : latencyMin,
      latencyMaxMs: limits === 'none' ? 0 : latencyMax,
      limits: limits !== 'none',
      burst: 150,
      bursts: 3,
      shape: 'established',
    });
    try {
      const full = [];
      const shared = [];
      const anchor: AnchorRun[] = [];
      const runs = Number(values.runs);
      for (let i = 0; i < runs; i++) {
        // Interleaved, so drift on a shared machine touches all three alike.
        full.push(await ourImport(emulator, limits, values.db as Dialect, undefined, !values['no-verify'] && i === runs - 1));
        if (!values['no-anchor']) {
          shared.push(await ourImport(emulator, limits, 'postgres', SHARED));
          anchor.push(await runAnchor(emulator.url, emulator.key));
        }
      }
      const ours = medians(full);
      const entry: Record<string, unknown> = {
        objects_target: objects,
        limits,
        emulator_objects: emulator.counts,
        emulator_generate_ms: emulator.generateMs,
        ours,
        ours_runs: full,
      };
      if (anchor.length) {
        const sharedMedian = medians(shared);
        const anchorMedian = medians(anchor as unknown as Record<string, unknown>[]) as unknown as AnchorRun;
        Object.assign(entry, {
          ours_shared_objects: sharedMedian,
          anchor: { ...anchorMedian, not_covered: ['payouts', 'balance_transactions', 'events', 'reports'], runs: anchor },
          ratio: {
            // Like for like: the object types both import, each on PostgreSQL.
            objects_per_second_same_objects: Number((sharedMedian.objects_per_second / anchorMedian.objects_per_second).toFixed(2)),
            // Our whole import (every resource) against the anchor's on what it covers.
            objects_per_second_full_import: Number((ours.objects_per_second / anchorMedian.objects_per_second).toFixed(2)),
          },
        });
      }
      results.push(entry);
      process.stderr.write(
        `${objects} objects, ${limits} limits: ${JSON.stringify(entry.ratio ?? {})} ours ${ours.objects_per_second}/s\n`,
      );
    } finally {
      emulator.stop();
    }
  }
}
process.stdout.write(
  JSON.stringify(
    {
      benchmark: 'backfill',
      node: process.version,
      runs: Number(values.runs),
      database: values.db,
      latency_ms: [latencyMin, latencyMax],
      limits: { test: STRIPE_LIMITS.test, live: STRIPE_LIMITS.live, fraction: DEFAULT_LIMIT_FRACTION },
      scenarios: results,
    },
    null,
    2,
  ) + '\n',
);

import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dialect } from '../../server/db/database.js';
import type { ConnectionDetail, ConnectionStatus } from '../../shared/contracts/connection-status.js';
import { compareWithTruth, countDifferences, ESTABLISHED } from '../backfill/support.js';
import { artifactPath } from '../support/browser.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { control, createAccount, injectApiFaults, overview, platformKey, withEmulator } from '../support/emulator.js';
import { freePort } from '../support/http.js';
import { install, SUPPORT_TOKEN } from '../support/stack.js';
import { processEnv, spawnProcess, until, type Worker } from '../support/workers.js';
import type { Emulator } from '../../server/emulator/index.js';

const PAYMENTS = 7000;
/** Live mode: a merchant with tens of thousands of objects, and Stripe's live rate limits (100/s). */
const MODE = 'live' as const;
const WEBHOOK_SECRET = `whsec_${randomBytes(18).toString('hex')}`;

/**
 * The product under real-world faults, as separate processes (the server, and on PostgreSQL a
 * pg-boss worker), against the emulator: Stripe answers 5% 429s, 3% 500s and 2% connection
 * resets, events show in the list up to 3 s late, webhooks are dropped (10%), duplicated (10%)
 * and reordered; the process doing the work is SIGKILLed twice during the backfill and once during
 * live sync, while the merchant keeps taking payments, refunding, being disputed and paid out.
 * At the end every stored object equals Stripe's: nothing missing, extra, duplicated or stale,
 * and the balance report reconciles with what was imported.
 */
describe.each(DIALECTS)('chaos end to end on %s', (dialect: Dialect) => {
  let emulator: Emulator;
  let database: TestDatabase;
  let env: Record<string, string>;
  let url: string;
  let server: Worker;
  let worker: Worker | null = null;
  let accountId: string;
  let connectionId: string;
  const kills: string[] = [];
  let t0 = Date.now();
  const phases: Record<string, number> = {};
  const mark = (phase: string) => (phases[phase] = Math.round((Date.now() - t0) / 100) / 10);

  const api = async <T>(path: string, init: RequestInit = {}) => {
    const res = await fetch(`${url}/api/support${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${SUPPORT_TOKEN}`, 'Content-Type': 'application/json' },
    });
    return (await res.json()) as T;
  };
  const status = () => api<ConnectionDetail>(`/connections/${connectionId}`);
  const startServer = () => spawnProcess(['server'], env, '"msg":"listening"');
  const startWorker = () => spawnProcess(['worker'], env, 'started');
  /** SIGKILLs whatever runs the jobs (the server on SQLite, the worker on PostgreSQL) and starts it again. */
  const retired: Worker[] = [];
  const killWorker = async (when: string) => {
    const victim = worker ?? server;
    retired.push(victim);
    victim.process.kill('SIGKILL');
    await victim.exited;
    kills.push(when);
    if (worker) worker = await startWorker();
    else server = await startServer();
  };

  beforeAll(async () => {
    t0 = Date.now();
    emulator = await withEmulator();
    database = await createTestDatabase(dialect);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const { app } = await overview(emulator);
    await control(emulator, 'POST', '/app', { redirect_uris: [`${url}/oauth/callback`] });
    // Stripe as it answers: 30–300 ms per request, and a concurrency limiter besides the rate limits.
    await control(emulator, 'POST', '/settings', {
      eventVisibilityDelayMs: 3000,
      webhookRetryDelaysMs: [500, 1000, 2000, 4000, 8000],
      latencyMs: 30,
      latencyMaxMs: 300,
      concurrency: { global: 8, endpoint: 0 },
    });
    const account = await createAccount(emulator, { name: 'Chaos Coffee' });
    accountId = account.id;
    // A merchant of three years connecting today: sparse early years, dense recent months, bursts.
    await control(emulator, 'POST', '/generate', { account: accountId, mode: MODE, payments: PAYMENTS, ...ESTABLISHED, burst: 250 });
    // Recent sales not paid out yet, so the merchant's live payouts have funds to settle.
    await control(emulator, 'POST', '/generate', { account: accountId, mode: MODE, payments: 60, days: 6, payouts: false });
    // The app's webhook endpoint: every installed account's events, with drops, duplicates and reordering.
    await control(emulator, 'POST', '/webhook_endpoints', {
      url: `${url}/webhooks/stripe`,
      mode: MODE,
      secret: WEBHOOK_SECRET,
      enabled_events: ['*'],
      faults: { dropRate: 0.1, duplicateRate: 0.1, jitterMs: 1500 },
    });
    env = processEnv(url, database.url, {
      STRIPE_API_BASE: emulator.url,
      STRIPE_SECRET_KEY_LIVE: await platformKey(emulator, 'live'),
      STRIPE_APP_CLIENT_ID_LIVE: app.clientIds.live,
      STRIPE_APP_AUTHORIZE_URL_LIVE: `${emulator.url}/oauth/v2/authorize`,
      STRIPE_WEBHOOK_SECRETS: WEBHOOK_SECRET,
      SUPPORT_TOKENS: SUPPORT_TOKEN,
      JOB_LEASE_SECONDS: '6',
      EVENT_POLL_MAX_SECONDS: '3',
      ...(dialect === 'postgres' ? { JOB_BACKEND: 'pg-boss', RUN_JOBS: '0' } : {}),
    });
    server = await startServer();
    if (dialect === 'postgres') worker = await startWorker();
  }, 120_000);

  afterAll(async () => {
    for (const p of [server, worker]) if (p && p.process.exitCode === null) p.process.kill('SIGKILL');
    await Promise.all([server?.exited, worker?.exited]);
    await emulator?.close();
    await database?.drop();
  });

  /** What a failing run leaves for a person to read: the differing objects and the import's checkpoints. */
  const dumpDifferences = async (report: Awaited<ReturnType<typeof compareWithTruth>>, convergence: unknown[]) => {
    const truth = await control<Record<string, { id: string; created: number }[]>>(
      emulator,
      'GET',
      `/truth?account=${accountId}&mode=${MODE}`,
    );
    const all = new Map(
      Object.values(truth)
        .flat()
        .map((o) => [o.id, o]),
    );
    const db = database.db;
    await writeFile(
      await artifactPath(`chaos-${dialect}-differences.json`),
      JSON.stringify(
        {
          kills,
          phases,
          convergence,
          differences: Object.fromEntries(
            Object.entries(report).map(([t, r]) => [t, { ...r, missing: r.missing.map((id) => all.get(id)) }]),
          ),
          runs: await db('backfill_runs').select('*'),
          segments: await db('backfill_segments').select('*').orderBy('id'),
          jobs:
            dialect === 'postgres'
              ? (
                  await db.raw(
                    'select name, state, count(*)::int as n, max(retry_count) as retries, min(start_after) as start_after ' +
                      'from pgboss.job group by 1, 2 order by 1, 2',
                  )
                ).rows
              : [],
          job_locks: dialect === 'postgres' ? await db('job_locks').select('*') : [],
          buckets: dialect === 'postgres' ? await db('rate_limit_buckets').select('*') : [],
          activity:
            dialect === 'postgres'
              ? (
                  await db.raw(
                    'select pid, application_name, state, wait_event_type, wait_event, now() - xact_start as xact_age, ' +
                      'left(query, 160) as query from pg_stat_activity where datname = current_database()',
                  )
                ).rows
              : [],
          now: Date.now(),
          connection: await db('connections').select('id', 'state', 'state_reason', 'last_error'),
          watermark: await db('event_watermarks').select('*'),
          report_runs: await db('report_runs').select('*'),
          inbox: await db('event_inbox').groupBy('status', 'source').select('status', 'source').count({ n: '*' }),
          unprocessed: await db('event_inbox')
            .whereNot({ status: 'processed' })
            .select('event_id', 'type', 'created', 'source', 'status', 'attempts', 'last_error')
            .limit(100),
          recent_inbox: await db('event_inbox')
            .orderBy('created', 'desc')
            .limit(60)
            .select('event_id', 'type', 'created', 'source', 'status', 'received_at'),
          output: [...retired, server, worker]
            .map((p) => p?.output() ?? '')
            .join('\n')
            .split('\n')
            .filter((l) => /"level":(40|50)/.test(l))
            .slice(-200),
          tail: [...retired, server, worker].map((p) => (p?.output() ?? '').split('\n').slice(-40)),
        },
        null,
        2,
      ),
    );
  };

  it('ends with the database equal to Stripe, after faults, kills and live traffic', async () => {
    try {
      await scenario();
    } catch (err) {
      await dumpDifferences(await compareWithTruth({ emulator, database }, accountId, MODE), []).catch(() => undefined);
      throw err;
    }
  }, 600_000);

  const scenario = async () => {
    mark('setup');
    const installed = await install({ url, emulator }, accountId, { mode: MODE });
    expect(installed.status).toBe(200);
    connectionId = (await api<{ data: ConnectionStatus[] }>('/connections')).data[0]!.id;
    // Faults from here on, on every Stripe API call (the OAuth token endpoint stays clean).
    await injectApiFaults(emulator);

    const traffic = merchantTraffic(emulator, accountId, MODE);
    const charges = async () => (await status()).import.resources.find((r) => r.resource === 'charges')?.objects ?? 0;
    await until('a fifth of the backfill', charges, (n) => n >= PAYMENTS * 0.2, 120_000);
    mark('kill 1');
    await killWorker('backfill, 20% of charges');
    await until('over half of the backfill', charges, (n) => n >= PAYMENTS * 0.55, 120_000);
    mark('kill 2');
    await killWorker('backfill, 55% of charges');
    await until('the backfill to finish', status, (s) => s.import.done, 180_000);
    mark('backfill done');
    await new Promise((r) => setTimeout(r, 3000));
    await killWorker('live sync');
    await new Promise((r) => setTimeout(r, 6000));
    const made = await traffic.stop();
    mark('traffic stopped');

    // Converges: faults stay on; webhooks retry, polling reads behind the visibility delay.
    let report = await compareWithTruth({ emulator, database }, accountId, MODE);
    const deadline = Date.now() + 120_000;
    const convergence: unknown[] = [];
    while (countDifferences(report) > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 2000));
      report = await compareWithTruth({ emulator, database }, accountId, MODE);
      convergence.push(
        Object.fromEntries(
          Object.entries(report)
            .map(([t, r]) => [t, [r.missing.length, r.extra.length, r.duplicates, r.stale.length]])
            .filter(([, v]) => (v as number[]).some((n) => n > 0)),
        ),
      );
    }
    mark('converged');
    if (countDifferences(report) > 0) await dumpDifferences(report, convergence);
    for (const [table, r] of Object.entries(report)) {
      expect(r.missing, `${table} missing`).toEqual([]);
      expect(r.extra, `${table} extra`).toEqual([]);
      expect(r.duplicates, `${table} duplicates`).toBe(0);
      expect(r.stale, `${table} stale`).toEqual([]);
    }

    // Verification ran with the connection live and found nothing the import had missed.
    const verified = await until(
      'verification of the import',
      status,
      (s) => s.import.verification === 'verified' || s.import.verification === 'repaired',
      120_000,
    );
    expect(verified.import.resources.map((r) => [r.resource, r.verification?.state])).toEqual(
      verified.import.resources.map((r) => [r.resource, 'verified']),
    );
    mark('verified');

    // The balance report for the imported history reconciles with what we stored.
    await api('/connections/' + connectionId + '/reports/run', {
      method: 'POST',
      body: JSON.stringify({ type: 'balance_change_from_activity.itemized' }),
    });
    const reconciled = await until(
      'the balance report to reconcile',
      status,
      (s) => {
        const balance = s.reports.find((r) => r.family === 'balance_change_from_activity.itemized');
        return balance?.pending === 0 && balance.reconciliation?.status === 'reconciled';
      },
      120_000,
    );
    expect(reconciled.state).toBe('live');
    mark('reconciled');

    const faults = await control<{ faults: { action: number | string; hits: number }[] }>(emulator, 'GET', '/');
    const deliveries = await control<{ status: number | string; attempt: number }[]>(emulator, 'GET', '/webhook_deliveries');
    const truth = await control<Record<string, unknown[]>>(emulator, 'GET', `/truth?account=${accountId}&mode=${MODE}`);
    const counts = {
      dialect,
      objects: Object.fromEntries(Object.entries(report).map(([t, r]) => [t, r.expected])),
      objects_total: Object.values(report).reduce((n, r) => n + r.expected, 0),
      events: truth.event!.length,
      live_operations: made,
      faults: {
        api: Object.fromEntries(faults.faults.map((f) => [String(f.action), f.hits])),
        webhook_dropped: deliveries.filter((d) => d.status === 'dropped').length,
        webhook_failed_while_down: deliveries.filter((d) => d.status === 'error' || (typeof d.status === 'number' && d.status >= 500))
          .length,
        webhook_deliveries: deliveries.length,
        kills,
      },
      differences: countDifferences(report),
      seconds: phases,
      convergence,
    };
    await writeFile(await artifactPath(`chaos-${dialect}.json`), JSON.stringify(counts, null, 2));
    console.log(JSON.stringify(counts));
    expect(counts.objects_total).toBeGreaterThan(20_000);
    expect(kills).toHaveLength(3);
    // The faults did happen: each kind of API fault, dropped webhooks, and the kills.
    for (const action of ['429', '500', 'reset']) expect(counts.faults.api[action], action).toBeGreaterThan(0);
    expect(counts.faults.webhook_dropped).toBeGreaterThan(0);
  };
});

/** The merchant keeps doing business: payments, refunds, disputes, payouts (and payouts paid). */
function merchantTraffic(emulator: Emulator, account: string, mode: 'test' | 'live') {
  const made: Record<string, number> = {};
  const charges: string[] = [];
  const payouts: string[] = [];
  let running = true;
  const scenario = async (name: string, body: Record<string, unknown> = {}) => {
    try {
      const result = await control<{ id?: string; charge?: { id: string } } | null>(emulator, 'POST', `/scenarios/${name}`, {
        account,
        mode,
        ...body,
      });
      made[name] = (made[name] ?? 0) + 1;
      return result;
    } catch {
      return null; // e.g. refunding a charge already refunded in full: Stripe refuses too
    }
  };
  const loop = (async () => {
    for (let tick = 0; running; tick++) {
      const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)];
      if (tick % 10 === 3 && charges.length) await scenario('refund', { charge: pick(charges), amount: 300 });
      else if (tick % 25 === 7 && charges.length) await scenario('dispute', { charge: pick(charges) });
      else if (tick % 30 === 11) {
        const payout = await scenario('payout');
        if (payout?.id) payouts.push(payout.id); // null when nothing has settled since the last one
      } else if (tick % 30 === 19 && payouts.length) await scenario('payout_paid', { payout: payouts.shift() });
      else {
        const result = await scenario('payment', { amount: 1000 + Math.floor(Math.random() * 9000) });
        const charge = result?.charge;
        if (charge) charges.push(charge.id);
      }
      // About five operations a second; each new payment costs our side a fetch or two, which a
      // live account's 100 requests/s follows (a test account's 25/s would only build a backlog).
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return made;
    },
  };
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionDetail } from '../../shared/contracts/connection-status.js';
import { control } from '../support/emulator.js';
import { DIALECTS } from '../support/databases.js';
import { startStack, type Stack } from '../support/stack.js';
import { compareWithTruth, connectPaused, requestCount, seededAccount } from './support.js';

/** Every table of a `compareWithTruth` report has each of Stripe's ids, and none twice. */
function expectEveryIdOnce(report: Awaited<ReturnType<typeof compareWithTruth>>): void {
  for (const [table, r] of Object.entries(report)) {
    expect(r.missing, table).toEqual([]);
    expect(r.duplicates, table).toBe(0);
  }
}

describe.each(DIALECTS)('historical import on %s', (dialect) => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack(dialect);
  });
  afterAll(() => stack.close());

  const detail = async (id: string) => (await (await stack.support(`/connections/${id}`)).json()) as ConnectionDetail;

  it('stores every id exactly once, through 250-object same-second bursts, and says it verified them', async () => {
    const account = await seededAccount(stack, 900);
    const id = await connectPaused(stack, account.keys.test);
    const report = await compareWithTruth(stack, account.id);
    for (const [table, r] of Object.entries(report)) {
      expect(r.missing, table).toEqual([]);
      expect(r.duplicates, table).toBe(0);
      expect(r.stored, table).toBe(r.expected);
    }
    expect(report.charges!.expected).toBe(900);
    const status = await detail(id);
    expect(status.state).toBe('live');
    expect(status.state_reason).toMatch(/^historical import complete \(\d+ objects\); verified$/);
    expect(status.import.done).toBe(true);
    expect(status.import.verification).toBe('verified');
    expect(status.import.resources).toHaveLength(7);
    for (const r of status.import.resources)
      expect(r).toMatchObject({
        state: 'succeeded',
        verification: { state: 'verified', stored: r.verification?.expected, found_missing: 0, repaired: 0 },
      });
    expect(status.import.resources.find((r) => r.resource === 'charges')!.objects).toBe(900);
    expect(await stack.database.db('balance_snapshots').where({ account_id: account.id })).toHaveLength(1);
  });

  it('stays complete with 5% 500s, 5% 429s and connection resets injected', async () => {
    const account = await seededAccount(stack, 600);
    await control(stack.emulator, 'POST', '/faults', { path: '^/v1/(charges|payouts)$', action: 'reset', times: 3 });
    await control(stack.emulator, 'POST', '/faults', { path: '^/v1/', action: 500, rate: 0.05 });
    await control(stack.emulator, 'POST', '/faults', { path: '^/v1/', action: 429, rate: 0.05 });
    try {
      const id = await connectPaused(stack, account.keys.test);
      expectEveryIdOnce(await compareWithTruth(stack, account.id));
      expect((await detail(id)).state).toBe('live');
      const { faults } = await control<{ faults: { action: number | string; hits: number }[] }>(stack.emulator, 'GET', '/');
      const hits = Object.fromEntries(faults.map((f) => [f.action, f.hits]));
      expect(hits.reset).toBe(3);
      expect(hits[500]! + hits[429]!).toBeGreaterThan(2);
    } finally {
      await control(stack.emulator, 'DELETE', '/faults');
    }
  });

  it("slows down under Stripe's concurrency limit with real latency (30–300 ms), without failing or losing an object", async () => {
    // Stripe's rate limits page, "API limiters": besides the rate limiter there is a concurrency
    // limiter, answered with 429 and Stripe-Rate-Limited-Reason global-concurrency. The import may
    // run dozens of requests at once; here Stripe allows 2.
    const account = await seededAccount(stack, 300);
    await control(stack.emulator, 'POST', '/settings', { latencyMs: 30, latencyMaxMs: 300, concurrency: { global: 2, endpoint: 0 } });
    try {
      const id = await connectPaused(stack, account.keys.test);
      expectEveryIdOnce(await compareWithTruth(stack, account.id));
      expect((await detail(id)).state).toBe('live');
      const traffic = await control<{ concurrency_limited: number; max_in_flight: Record<string, number> }>(
        stack.emulator,
        'GET',
        `/traffic?account=${account.id}`,
      );
      const requests = await requestCount(stack);
      expect(traffic.concurrency_limited).toBeGreaterThan(0);
      // The gate learns the limit: a few refusals, not one per request.
      expect(traffic.concurrency_limited).toBeLessThan(Math.max(10, requests * 0.1));
    } finally {
      await control(stack.emulator, 'POST', '/settings', { latencyMs: 0, latencyMaxMs: 0, concurrency: { global: 0, endpoint: 0 } });
    }
  });

  it('resumes an aborted import from its checkpoint: complete, no duplicates, fewer requests than a restart', async () => {
    const account = await seededAccount(stack, 1500, { payouts: false, refundRate: 0, disputeRate: 0, fraudWarningRate: 0 });
    // Connect without importing: pause at once, then drive the import by hand.
    const id = await connectPaused(stack, account.keys.test);
    const runs = await stack.database.db('backfill_runs').where({ connection_id: id });
    await stack.database
      .db('backfill_segments')
      .whereIn(
        'run_id',
        runs.map((r: { id: number }) => r.id),
      )
      .delete();
    await stack.database.db('backfill_runs').where({ connection_id: id }).delete();
    for (const table of ['charges', 'payment_intents', 'balance_transactions'])
      await stack.database.db(table).where({ account_id: account.id }).delete();

    const before = await requestCount(stack);
    const controller = new AbortController();
    let pagesSeen = 0;
    await stack.services.imports.run(id, {
      resources: ['charges', 'payment_intents', 'balance_transactions'],
      signal: controller.signal,
      onProgress: () => {
        if (++pagesSeen === 12) controller.abort();
      },
    });
    const atAbort = await requestCount(stack);
    const open = await stack.database.db('backfill_runs').where({ connection_id: id, state: 'running' });
    expect(open).toHaveLength(3);
    const committedPages = open.reduce((s: number, r: { pages: number | string }) => s + Number(r.pages), 0);
    expect(committedPages).toBeGreaterThanOrEqual(12);

    await stack.services.imports.run(id, { resources: ['charges', 'payment_intents', 'balance_transactions'], verify: false });
    const resumeRequests = (await requestCount(stack)) - atAbort;
    const done = await stack.database.db('backfill_runs').where({ connection_id: id });
    expect(done.map((r: { state: string }) => r.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    const totalPages = done.reduce((s: number, r: { pages: number | string }) => s + Number(r.pages), 0);
    expect(resumeRequests).toBeLessThan(totalPages);
    expect(resumeRequests).toBeLessThanOrEqual(totalPages - committedPages + 3);
    expect(atAbort - before).toBeGreaterThan(0);

    const report = await compareWithTruth(stack, account.id);
    for (const table of ['charges', 'payment_intents', 'balance_transactions']) {
      expect(report[table]!.missing, table).toEqual([]);
      expect(report[table]!.duplicates, table).toBe(0);
    }
    expect(done.reduce((s: number, r: { objects: number | string }) => s + Number(r.objects), 0)).toBe(
      report.charges!.expected + report.payment_intents!.expected + report.balance_transactions!.expected,
    );
  });

  it('stops only the resource a restricted key cannot read, and the status names it', async () => {
    const account = await seededAccount(stack, 150);
    const permissions = [
      'connected_account_read',
      'charge_read',
      'payment_intent_read',
      'dispute_read',
      'balance_transaction_source_read',
      'review_read',
      'balance_read',
      'event_read',
      'file_read',
      'report_runs_and_report_types_read',
      'payout_read',
    ];
    const { key } = await control<{ key: string }>(stack.emulator, 'POST', '/keys', { account: account.id, mode: 'test', permissions });
    const id = await connectPaused(stack, key);
    expect((await detail(id)).state).toBe('live');
    // The merchant narrows the key afterwards: payouts can no longer be read.
    stack.emulator.state.keys.get(key)!.permissions!.delete('payout_read');
    await stack.support(`/connections/${id}/resync`, { method: 'POST' });
    await stack.services.jobs.idle();
    const status = await detail(id);
    expect(status.state).toBe('permission_missing');
    expect(status.missing_permissions).toEqual(['payout_read']);
    expect(status.state_reason).toBe('import of payouts stopped: the credentials lack payout_read');
    const byResource = Object.fromEntries(status.import.resources.map((r) => [r.resource, r.state]));
    expect(byResource).toMatchObject({ payouts: 'failed', charges: 'succeeded', refunds: 'succeeded', balance_transactions: 'succeeded' });
    expect(status.import.resources.find((r) => r.resource === 'payouts')!.last_error).toContain('payout_read');
  });

  it('turns errors that outlast the retries into degraded, then resumes to live', async () => {
    const account = await seededAccount(stack, 60);
    const id = await connectPaused(stack, account.keys.test);
    await stack.support(`/connections/${id}/resync`, { method: 'POST' });
    await stack.services.jobs.idle();
    await control(stack.emulator, 'POST', '/faults', { path: '^/v1/disputes$', action: 503, times: 8 });
    try {
      await stack.services.imports.run(id, { full: true });
    } finally {
      await control(stack.emulator, 'DELETE', '/faults');
    }
    const degraded = await detail(id);
    expect(degraded.state).toBe('degraded');
    expect(degraded.state_reason).toBe('import of disputes interrupted by repeated errors; it resumes from its checkpoint');
    expect(degraded.last_error?.message).toContain('unknown error');
    expect(degraded.connected).toBe(true);
    await stack.services.imports.run(id);
    expect((await detail(id)).state).toBe('live');
  });

  it('stops with reauthorization_required when the API key is revoked mid-import, not degraded', async () => {
    const account = await seededAccount(stack, 30);
    const id = await connectPaused(stack, account.keys.test);
    await control(stack.emulator, 'POST', '/keys/revoke', { key: account.keys.test });
    await stack.services.imports.run(id, { full: true }).catch(() => undefined);
    const status = await detail(id);
    expect(status.state).toBe('reauthorization_required');
    expect(status.history.some((h) => h.to === 'degraded')).toBe(false);
  });

  it('verification catches a deliberately deleted row, names it and fetches it again', async () => {
    const account = await seededAccount(stack, 200);
    const id = await connectPaused(stack, account.keys.test);
    // The oldest charge (found by the probe below the oldest stored one) and one inside the range.
    const ordered = (await stack.database.db('charges').where({ account_id: account.id }).orderBy('created').pluck('id')) as string[];
    const [oldest, middle] = [ordered[0]!, ordered[100]!];
    await stack.database.db('charges').where({ account_id: account.id }).whereIn('id', [oldest, middle]).delete();
    const verification = await stack.services.imports.verify(id, 'charges');
    // Listed once each, although the repair below overlaps the run's first segment.
    // Stripe holds 200; we had 198; 2 were missing (one below, one inside) and both are stored now.
    expect(verification).toMatchObject({
      version: 3,
      expected: 200,
      stored: 198,
      found_missing: 2,
      repaired: 2,
      below: { probes: 2, found: 1 },
    });
    expect(verification.repaired_ids).toEqual([oldest, middle]);
    expect(await stack.database.db('charges').where({ account_id: account.id }).whereIn('id', [oldest, middle])).toHaveLength(2);
    const charges = (await detail(id)).import.resources.find((r) => r.resource === 'charges')!;
    expect(charges.verification).toMatchObject({ state: 'repaired', expected: 200, stored: 198, found_missing: 2, repaired: 2 });
  });
  it('does not call an import complete while a resource has not even started (jobs per resource)', async () => {
    const account = await seededAccount(stack, 60);
    const id = await connectPaused(stack, account.keys.test);
    const db = stack.database.db;
    const state = async () => String((await db('connections').where({ id }).first('state')).state);
    // As under pg-boss: each resource is its own job, and balance transactions' has not run yet.
    const runs = () => db('backfill_runs').where({ connection_id: id, resource: 'balance_transactions' });
    await db('backfill_segments').whereIn('run_id', runs().select('id')).delete();
    await runs().delete();
    await db('connections').where({ id }).update({ state: 'backfilling' });
    await stack.services.imports.run(id, { resources: ['charges'], full: true });
    expect(await state()).toBe('backfilling');
    await stack.services.imports.run(id, { resources: ['balance_transactions'] });
    expect(await state()).toBe('live');
  });
});

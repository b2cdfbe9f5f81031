import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionDetail } from '../../shared/contracts/connection-status.js';
import { control, createAccount, stripeAt } from '../support/emulator.js';
import { DIALECTS } from '../support/databases.js';
import { startStack, type Stack } from '../support/stack.js';
import { until } from '../support/workers.js';
import { compareWithTruth, connectPaused, countDifferences, ESTABLISHED } from './support.js';

const DAY = 86400;
const LONE_2015 = Date.UTC(2015, 2, 14, 9, 26, 53) / 1000;

/**
 * Accounts as a merchant who has used Stripe for years has them, installing the app today:
 * `account.created` is the connection time (or absent), the history goes back three years, sparse
 * at first and dense lately, with same-second bursts, an empty resource and one payment from 2015
 * before years of nothing. Nothing about where history starts may be assumed.
 */
describe.each(DIALECTS)('history of a real account on %s', (dialect) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(dialect);
  });
  afterAll(() => stack.close());

  const detail = async (id: string) => (await (await stack.support(`/connections/${id}`)).json()) as ConnectionDetail;

  it('imports every id of an account connected today with three years of history, and the lone 2015 payment', async () => {
    const account = await createAccount(stack.emulator, { name: 'Years of trading' });
    await control(stack.emulator, 'POST', '/generate', {
      account: account.id,
      payments: 1200,
      ...ESTABLISHED,
      ancient: LONE_2015,
      fraudWarningRate: 0,
    });
    const connected = await stripeAt(stack.emulator, account.keys.test).accounts.retrieveCurrent();
    expect(Math.abs(connected.created! - Date.now() / 1000)).toBeLessThan(60);

    const id = await connectPaused(stack, account.keys.test);
    const report = await compareWithTruth(stack, account.id);
    expect(countDifferences(report)).toBe(0);
    expect(report.early_fraud_warnings!.expected).toBe(0);
    // Shaped as promised: three years deep, an older lone payment, a burst past one page in one second.
    const truth = await control<Record<string, { id: string; created: number }[]>>(
      stack.emulator,
      'GET',
      `/truth?account=${account.id}&mode=test`,
    );
    const created = truth.charge!.map((c) => c.created).sort((a, b) => a - b);
    expect(created[0]).toBe(LONE_2015);
    expect(created[1]!).toBeLessThan(Date.now() / 1000 - 2.5 * 365 * DAY);
    const perSecond = new Map<number, number>();
    for (const t of created) perSecond.set(t, (perSecond.get(t) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeGreaterThan(100);
    const lone = await stack.database.db('charges').where({ account_id: account.id, created: LONE_2015 });
    expect(lone).toHaveLength(1);

    const status = await detail(id);
    expect(status.state).toBe('live');
    expect(status.import.verification).toBe('verified');
    expect(status.state_reason).toMatch(/^historical import complete \(\d+ objects\); verified$/);
    for (const r of status.import.resources) {
      expect(r.verification).toMatchObject({ state: 'verified', expected: r.objects, stored: r.objects, found_missing: 0, repaired: 0 });
    }
  }, 120_000);

  it('imports an account whose `created` is absent', async () => {
    const account = await createAccount(stack.emulator, { name: 'No created', created: null });
    await control(stack.emulator, 'POST', '/generate', { account: account.id, payments: 150, ...ESTABLISHED, bursts: 0 });
    const raw = await stripeAt(stack.emulator, account.keys.test).accounts.retrieveCurrent();
    expect(raw.created).toBeUndefined();
    const id = await connectPaused(stack, account.keys.test);
    expect(countDifferences(await compareWithTruth(stack, account.id))).toBe(0);
    expect((await detail(id)).import.verification).toBe('verified');
  });

  it('goes live once every page is stored, then verification finds and repairs what a wrong floor left out', async () => {
    const account = await createAccount(stack.emulator, { name: 'Wrong floor' });
    await control(stack.emulator, 'POST', '/generate', { account: account.id, payments: 500, ...ESTABLISHED, bursts: 1 });
    const id = await connectPaused(stack, account.keys.test);
    const db = stack.database.db;
    // The import is told history starts a year ago, as the account.created floor once did.
    const floor = Math.floor(Date.now() / 1000) - 365 * DAY;
    for (const table of ['charges', 'payment_intents', 'refunds', 'disputes', 'payouts', 'balance_transactions', 'early_fraud_warnings']) {
      await db(table).where({ account_id: account.id }).delete();
    }
    await stack.services.imports.run(id, { full: true, floor, verify: false });
    const before = await compareWithTruth(stack, account.id);
    const hidden = Object.values(before).reduce((n, t) => n + t.missing.length, 0);
    expect(hidden).toBeGreaterThan(50);
    const live = await detail(id);
    expect(live.state).toBe('live');
    expect(live.import.verification).toBe('waiting');

    const seen = new Set<string>();
    const verifying = stack.services.imports.verifyImport(id);
    await until(
      'verification to finish',
      () => detail(id),
      (s) => {
        seen.add(String(s.import.verification));
        return s.import.verification === 'repaired';
      },
      60_000,
    );
    const results = await verifying;
    expect(seen.has('verifying')).toBe(true);
    expect(results.reduce((n, v) => n + v.below.found, 0)).toBe(hidden);
    expect(results.every((v) => v.below.probes >= 1)).toBe(true);
    expect(countDifferences(await compareWithTruth(stack, account.id))).toBe(0);
    const status = await detail(id);
    expect(status.state).toBe('live');
    const objects = status.import.resources.reduce((n, r) => n + r.objects, 0);
    expect(status.state_reason).toBe(
      `historical import complete (${objects} objects); verification found ${hidden} missing and stored them`,
    );
    expect(status.import.resources.find((r) => r.resource === 'charges')!.verification).toMatchObject({ state: 'repaired' });
    // Each count says what happened: what Stripe holds, what we had, what was missing, what is stored now.
    const counts = status.import.resources.map((r) => r.verification!);
    expect(counts.reduce((n, v) => n + v.found_missing, 0)).toBe(hidden);
    expect(counts.reduce((n, v) => n + v.repaired, 0)).toBe(hidden);
    for (const [i, v] of counts.entries()) expect(v.stored! + v.found_missing, status.import.resources[i]!.resource).toBe(v.expected);
    expect(status.history.map((h) => h.reason)).toContain(
      `historical import complete (${status.import.resources.reduce((n, r) => n + r.objects, 0) - hidden} objects)`,
    );
  }, 120_000);
});

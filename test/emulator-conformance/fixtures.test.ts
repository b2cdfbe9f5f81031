import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../server/emulator/index.js';
import { control, createAccount, stripeAt, withEmulator, type DemoAccount } from '../support/emulator.js';

const fixtures = JSON.parse(readFileSync(new URL('../../server/emulator/stripe-fixtures.json', import.meta.url), 'utf8')) as {
  resources: Record<string, Record<string, unknown>>;
};
/** sha256 of shared/reference/stripe-fixtures.json (2023-08-16 API), when it was copied into the emulator (now server/emulator). */
const FIXTURES_SHA256 = '27deec8220089f7d77ec79fa633391b90d8bd2c3e167b5e11c310a5ddcefe505';
const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const OPTIONAL: Record<string, string[]> = { event: ['account'] };

/** Same top-level fields as Stripe's example, each of the same type (or null where Stripe allows it). */
function expectShape(type: string, object: Record<string, unknown>) {
  const fixture = fixtures.resources[type]!;
  const extra = Object.keys(object).filter((k) => !(k in fixture) && !OPTIONAL[type]?.includes(k));
  expect(extra, `${type}: fields Stripe does not have`).toEqual([]);
  expect(
    Object.keys(fixture).filter((k) => !(k in object)),
    `${type}: missing fields`,
  ).toEqual([]);
  for (const [key, value] of Object.entries(fixture)) {
    if (value === null || object[key] === null) continue;
    expect(kind(object[key]), `${type}.${key}`).toBe(kind(value));
  }
}

describe("emulator objects have Stripe's field sets", () => {
  let emulator: Emulator;
  let account: DemoAccount;
  let stripe: Stripe;

  beforeAll(async () => {
    emulator = await withEmulator({ settings: { reportRunDelayMs: 10 } });
    account = await createAccount(emulator, { name: 'Shapes' });
    await control(emulator, 'POST', '/generate', { account: account.id, payments: 200, days: 40, disputeRate: 0.2, fraudWarningRate: 0.2 });
    const charge = (await control<{ charge: { id: string } }>(emulator, 'POST', '/scenarios/payment', { account: account.id })).charge.id;
    await control(emulator, 'POST', '/scenarios/refund', { account: account.id, charge });
    await control(emulator, 'POST', '/scenarios/dispute', { account: account.id, charge });
    await control(emulator, 'POST', '/scenarios/early_fraud_warning', { account: account.id, charge });
    stripe = stripeAt(emulator, account.keys.test);
  });
  afterAll(() => emulator.close());

  it('for every resource we import', async () => {
    const first = async <T>(list: Promise<{ data: T[] }>) => (await list).data[0] as unknown as Record<string, unknown>;
    expectShape('charge', await first(stripe.charges.list({ limit: 1 })));
    expectShape('payment_intent', await first(stripe.paymentIntents.list({ limit: 1 })));
    expectShape('refund', await first(stripe.refunds.list({ limit: 1 })));
    expectShape('dispute', await first(stripe.disputes.list({ limit: 1 })));
    expectShape('payout', await first(stripe.payouts.list({ limit: 1 })));
    expectShape('balance_transaction', await first(stripe.balanceTransactions.list({ limit: 1 })));
    expectShape('radar.early_fraud_warning', await first(stripe.radar.earlyFraudWarnings.list({ limit: 1 })));
    expectShape('event', await first(stripe.events.list({ limit: 1 })));
    expectShape('balance', (await stripe.balance.retrieve()) as unknown as Record<string, unknown>);
    expectShape('account', (await stripe.accounts.retrieveCurrent()) as unknown as Record<string, unknown>);
  });

  it('for reporting objects and files', async () => {
    const types = (await stripe.reporting.reportTypes.list()).data;
    expectShape('reporting.report_type', types[0] as unknown as Record<string, unknown>);
    const t = types[0]!;
    const run = await stripe.reporting.reportRuns.create({
      report_type: t.id,
      parameters: { interval_start: t.data_available_start + 1, interval_end: t.data_available_end - 1 },
    });
    expectShape('reporting.report_run', run as unknown as Record<string, unknown>);
    await new Promise((r) => setTimeout(r, 60));
    const done = await stripe.reporting.reportRuns.retrieve(run.id);
    expectShape('file', done.result as unknown as Record<string, unknown>);
    expectShape('file', (await stripe.files.retrieve(done.result!.id)) as unknown as Record<string, unknown>);
  });

  it("the emulator's copy of the fixtures is Stripe's, byte for byte as copied from shared/reference", () => {
    // The project stands alone (no test reads outside the repository): the copy's digest, taken when
    // it was copied, says it has not been edited since. A new copy updates both.
    const digest = createHash('sha256')
      .update(readFileSync(new URL('../../server/emulator/stripe-fixtures.json', import.meta.url)))
      .digest('hex');
    expect(digest).toBe(FIXTURES_SHA256);
  });
});

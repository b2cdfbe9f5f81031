import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { control, createAccount, type DemoAccount } from '../support/emulator.js';
import { DIALECTS } from '../support/databases.js';
import { startStack, type Stack } from '../support/stack.js';

const sdk = new Stripe('sk_test_signing_only');

describe.each(DIALECTS)('event order and duplicates on %s', (dialect) => {
  let stack: Stack;
  let shop: DemoAccount;
  let secret: string;

  beforeAll(async () => {
    stack = await startStack(dialect);
    shop = await createAccount(stack.emulator, { name: 'Shuffled' });
    // The merchant's own endpoint: Stripe delivers out of order, 10% twice.
    const endpoint = await control<{ secret: string }>(stack.emulator, 'POST', '/webhook_endpoints', {
      url: `${stack.url}/webhooks/stripe/shuffled`,
      mode: 'test',
      account: shop.id,
      enabled_events: ['*'],
      faults: { duplicateRate: 0.1, jitterMs: 250 },
    });
    secret = endpoint.secret;
    const res = await stack.support('/connections', {
      method: 'POST',
      body: JSON.stringify({ name: 'Shuffled', api_key: shop.keys.test, merchant_id: 'shuffled', webhook_secret: secret }),
    });
    expect(res.status).toBe(201);
    await stack.services.jobs.idle();
  });
  afterAll(() => stack.close());

  const run = <T = { id: string }>(name: string, body: Record<string, unknown> = {}) =>
    control<T>(stack.emulator, 'POST', `/scenarios/${name}`, { account: shop.id, ...body });

  it('ends in the same state as in-order delivery despite shuffling and duplicates', async () => {
    const payments = [];
    for (let i = 0; i < 12; i++) payments.push(await run<{ charge: { id: string } }>('payment', { amount: 1000 + i }));
    for (let i = 0; i < 12; i += 3) await run('refund', { charge: payments[i]!.charge.id, amount: 100 });
    for (let i = 1; i < 12; i += 4) await run('refund', { charge: payments[i]!.charge.id });
    const dispute = await run('dispute', { charge: payments[2]!.charge.id });
    await run('dispute_update', { dispute: dispute.id });
    await run('dispute_close', { dispute: dispute.id, won: false });
    const efw = await run('early_fraud_warning', { charge: payments[5]!.charge.id });
    await run('early_fraud_warning_update', { early_fraud_warning: efw.id });
    for (let i = 6; i < 12; i++) await run('charge_update', { charge: payments[i]!.charge.id, description: `VIP ${i}` });
    await stack.emulator.webhooks.idle();
    await stack.services.jobs.idle();

    const deliveries = await control<{ status: number; event: string }[]>(stack.emulator, 'GET', '/webhook_deliveries');
    const ok = deliveries.filter((d) => d.status === 200);
    expect(ok.length).toBeGreaterThan(new Set(ok.map((d) => d.event)).size);

    const truth = await control<Record<string, Record<string, unknown>[]>>(stack.emulator, 'GET', `/truth?account=${shop.id}&mode=test`);
    const db = stack.database.db;
    const compare = async (table: string, type: string, fields: string[]) => {
      for (const object of truth[type]!) {
        const row = await db(table).where({ account_id: shop.id, id: object.id }).first();
        expect(row, `${table} ${String(object.id)}`).toBeTruthy();
        for (const f of fields) {
          const value = typeof object[f] === 'boolean' ? Boolean(row[f]) : row[f];
          expect(value, `${table}.${f} of ${String(object.id)}`).toEqual(object[f]);
        }
      }
    };
    await compare('charges', 'charge', ['amount_refunded', 'refunded', 'disputed', 'status']);
    await compare('payment_intents', 'payment_intent', ['status', 'amount_received']);
    await compare('refunds', 'refund', ['amount', 'status']);
    await compare('disputes', 'dispute', ['status']);
    await compare('early_fraud_warnings', 'radar.early_fraud_warning', ['actionable']);
    const descriptions = await db('charges').where({ account_id: shop.id }).whereNotNull('raw').select('raw');
    expect(
      descriptions
        .map((r: { raw: unknown }) => (typeof r.raw === 'string' ? JSON.parse(r.raw) : r.raw).description)
        .filter((d: string | null) => d?.startsWith('VIP')),
    ).toHaveLength(6);
  });

  const deliver = async (event: object) => {
    const payload = JSON.stringify(event);
    const header = sdk.webhooks.generateTestHeaderString({ payload, secret });
    const res = await fetch(`${stack.url}/webhooks/stripe/shuffled`, {
      method: 'POST',
      headers: { 'Stripe-Signature': header },
      body: payload,
    });
    expect(res.status).toBe(200);
    await stack.services.jobs.idle();
  };

  it('never lets an older event overwrite newer state, and settles same-second updates with Stripe', async () => {
    const { charge } = await run<{ charge: Stripe.Charge }>('payment', { amount: 4242 });
    await stack.emulator.webhooks.idle();
    await stack.services.jobs.idle();
    const stored = await stack.database.db('charges').where({ account_id: shop.id, id: charge.id }).first();
    const at = Number(stored.stripe_updated_at);

    // An event from before what we hold, claiming the charge failed: ignored.
    await deliver({
      id: `evt_old${Date.now()}`,
      object: 'event',
      type: 'charge.updated',
      created: at - 60,
      livemode: false,
      api_version: '2026-10-28.endive',
      data: { object: { ...charge, status: 'failed', description: 'stale' } },
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
    });
    const after = await stack.database.db('charges').where({ account_id: shop.id, id: charge.id }).first();
    expect(after.status).toBe('succeeded');
    expect(Number(after.stripe_updated_at)).toBe(at);

    // The same second as what we hold: which came first is unknowable, so Stripe is asked.
    await run('charge_update', { charge: charge.id, description: 'the real one' });
    await stack.emulator.webhooks.idle();
    await stack.services.jobs.idle();
    await deliver({
      id: `evt_tie${Date.now()}`,
      object: 'event',
      type: 'charge.updated',
      created: Number((await stack.database.db('charges').where({ id: charge.id }).first()).stripe_updated_at),
      livemode: false,
      api_version: '2026-10-28.endive',
      data: { object: { ...charge, description: 'an impostor' } },
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
    });
    const settled = await stack.database.db('charges').where({ account_id: shop.id, id: charge.id }).first();
    const raw = typeof settled.raw === 'string' ? JSON.parse(settled.raw) : settled.raw;
    expect(raw.description).toBe('the real one');
  });
});

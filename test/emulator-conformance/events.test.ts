import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBSCRIBED_EVENT_TYPES } from '../../shared/event-types.js';
import type { Emulator } from '../../server/emulator/index.js';
import { API_VERSION } from '../../server/emulator/index.js';
import { control, createAccount, stripeAt, withEmulator, type DemoAccount } from '../support/emulator.js';

type Ids = Record<string, { id: string } | null>;

describe('emulator events', () => {
  let emulator: Emulator;
  let account: DemoAccount;
  let stripe: Stripe;
  const run = (name: string, body: Record<string, unknown> = {}) =>
    control<Ids & { id: string }>(emulator, 'POST', `/scenarios/${name}`, { account: account.id, ...body });

  beforeAll(async () => {
    emulator = await withEmulator({ settings: { reportRunDelayMs: 20 } });
    account = await createAccount(emulator, { name: 'Events Inc' });
    stripe = stripeAt(emulator, account.keys.test);
  });
  afterAll(() => emulator.close());

  it('scenarios emit all 36 subscribed event types with snapshots, previous_attributes and api_version', async () => {
    const paid = await run('payment', { amount: 10_000 });
    const charge = paid.charge!.id;
    await run('payment', { outcome: 'failed' });
    await run('payment', { outcome: 'requires_action' });
    await run('payment', { outcome: 'partially_funded' });
    const pending = await run('payment', { outcome: 'processing' });
    await run('settle', { charge: pending.charge!.id });
    const auth = await run('payment', { outcome: 'requires_capture' });
    await run('capture', { charge: auth.charge!.id });
    const lapsed = await run('payment', { outcome: 'requires_capture' });
    await run('expire', { charge: lapsed.charge!.id });
    const abandoned = await run('payment', { outcome: 'requires_action' });
    await run('cancel', { payment_intent: abandoned.paymentIntent!.id });
    await run('charge_update', { charge, description: 'VIP order' });
    const refund = await run('refund', { charge, amount: 1000 });
    await run('refund_fail', { refund: refund.id });
    const dispute = await run('dispute', { charge });
    await run('dispute_update', { dispute: dispute.id });
    await run('dispute_close', { dispute: dispute.id, won: true });
    const efw = await run('early_fraud_warning', { charge });
    await run('early_fraud_warning_update', { early_fraud_warning: efw.id });
    await control(emulator, 'POST', '/clock', { advance_seconds: 3 * 86400 });
    const payout = await run('payout');
    await run('payout_paid', { payout: payout.id });
    await run('payout_reconciled', { payout: payout.id });
    await run('payment', { amount: 3000 });
    await control(emulator, 'POST', '/clock', { advance_seconds: 3 * 86400 });
    const failing = await run('payout');
    await run('payout_failed', { payout: failing.id });
    await run('payment', { amount: 4000 });
    await control(emulator, 'POST', '/clock', { advance_seconds: 3 * 86400 });
    const canceled = await run('payout');
    await run('payout_canceled', { payout: canceled.id });
    await control(emulator, 'POST', '/reporting/fail_next', { count: 1 });
    const types = await stripe.reporting.reportTypes.list();
    const type = types.data.find((t) => t.id.startsWith('payouts.itemized'))!;
    // 1 s inside the edges, as Stripe asks
    const params = { interval_start: type.data_available_start + 1, interval_end: type.data_available_end - 1 };
    await stripe.reporting.reportRuns.create({ report_type: type.id, parameters: params });
    await stripe.reporting.reportRuns.create({ report_type: type.id, parameters: params });
    await control(emulator, 'POST', '/reporting/available_end', { account: account.id, end: type.data_available_end });
    await new Promise((r) => setTimeout(r, 100));

    const events: Stripe.Event[] = [];
    for await (const e of stripe.events.list({ limit: 100 })) events.push(e);
    const seen = new Set(events.map((e) => e.type));
    expect(SUBSCRIBED_EVENT_TYPES.filter((t) => !seen.has(t))).toEqual([]);
    expect(SUBSCRIBED_EVENT_TYPES).toHaveLength(36);

    const refunded = events.find((e) => e.type === 'charge.refunded')!;
    expect(refunded.data.previous_attributes).toMatchObject({ amount_refunded: 0 });
    expect((refunded.data.object as Stripe.Charge).amount_refunded).toBe(1000);
    expect(refunded.api_version).toBe(API_VERSION);
    expect(refunded.account).toBe(account.id);
    // Snapshots: the created event shows the intent as it was then, not as it is now.
    const created = events.find(
      (e) => e.type === 'payment_intent.created' && (e.data.object as Stripe.PaymentIntent).id === paid.paymentIntent!.id,
    )!;
    expect((created.data.object as Stripe.PaymentIntent).status).toBe('requires_payment_method');
  });

  it('filters by type wildcard and by types[] in both encodings', async () => {
    const disputes = await stripe.events.list({ type: 'charge.dispute.*', limit: 100 });
    expect(disputes.data.length).toBe(5);
    expect(disputes.data.every((e) => e.type.startsWith('charge.dispute.'))).toBe(true);

    const viaSdk = await stripe.events.list({ types: ['payout.paid', 'refund.failed'], limit: 100 });
    expect(new Set(viaSdk.data.map((e) => e.type))).toEqual(new Set(['payout.paid', 'refund.failed']));
    const viaBrackets = await fetch(`${emulator.url}/v1/events?types[]=payout.paid&types[]=refund.failed&limit=100`, {
      headers: { Authorization: `Bearer ${account.keys.test}` },
    });
    expect(((await viaBrackets.json()) as { data: { id: string }[] }).data.map((e) => e.id)).toEqual(viaSdk.data.map((e) => e.id));
    await expect(stripe.events.list({ type: 'payout.paid', types: ['refund.failed'] })).rejects.toMatchObject({ statusCode: 400 });
  });

  it('gives events random, unordered ids and keeps only 30 days', async () => {
    const page = await stripe.events.list({ limit: 100 });
    const ids = page.data.map((e) => e.id);
    expect([...ids].sort()).not.toEqual(ids);
    expect([...ids].sort().reverse()).not.toEqual(ids);
    const oldest = page.data.at(-1)!;
    await control(emulator, 'POST', '/clock', { advance_seconds: 31 * 86400 });
    try {
      expect((await stripe.events.list()).data).toEqual([]);
      await expect(stripe.events.retrieve(oldest.id)).rejects.toMatchObject({ statusCode: 404 });
    } finally {
      await control(emulator, 'POST', '/clock', { advance_seconds: -31 * 86400 });
    }
  });

  it('shows new events in the list only after a delay when told to (eventual consistency)', async () => {
    // Long enough that even a slow, loaded machine cannot make all ten visible before we look.
    await control(emulator, 'POST', '/settings', { eventVisibilityDelayMs: 1500 });
    try {
      const before = (await stripe.events.list({ limit: 100, type: 'payment_intent.created' })).data.length;
      for (let i = 0; i < 10; i++) await run('payment', { outcome: 'requires_action' });
      const soon = (await stripe.events.list({ limit: 100, type: 'payment_intent.created' })).data.length;
      await new Promise((r) => setTimeout(r, 1600));
      const later = (await stripe.events.list({ limit: 100, type: 'payment_intent.created' })).data.length;
      expect(soon).toBeLessThan(before + 10);
      expect(later).toBe(before + 10);
    } finally {
      await control(emulator, 'POST', '/settings', { eventVisibilityDelayMs: 0 });
    }
  });
});

import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../server/emulator/index.js';
import { API_VERSION } from '../../server/emulator/state.js';
import { control, createAccount, stripeAt, withEmulator } from '../support/emulator.js';

/**
 * Events API: events render in the API version that was the account's default when they were
 * created, whatever version the request that lists them asks for. The changes modelled are
 * Stripe's changelog entries for 2022-11-15: "Removes the charges attribute from the PaymentIntent
 * object. Use latest_charge instead" and "The Charges object no longer auto-expands refunds".
 */
describe("emulator events in an account's own API version", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await withEmulator();
  });
  afterAll(() => emulator.close());

  const eventsOf = async (version?: string) => {
    const account = await createAccount(emulator, { name: `On ${version ?? 'ours'}`, ...(version ? { api_version: version } : {}) });
    const made = await control<{ charge: { id: string } }>(emulator, 'POST', '/scenarios/payment', { account: account.id, amount: 2500 });
    await control(emulator, 'POST', '/scenarios/refund', { account: account.id, charge: made.charge.id });
    const stripe = stripeAt(emulator, account.keys.test);
    return { events: (await stripe.events.list({ limit: 100 })).data, stripe, charge: made.charge.id };
  };
  const objectOf = (events: Stripe.Event[], type: string) =>
    events.find((e) => e.type === type)!.data.object as unknown as Record<string, unknown>;

  it("renders a 2022-08-01 account's payment intents with charges and no latest_charge, and its charges with refunds", async () => {
    const { events, stripe, charge } = await eventsOf('2022-08-01');
    expect(events.every((e) => e.api_version === '2022-08-01')).toBe(true);
    const intent = objectOf(events, 'payment_intent.succeeded');
    expect(intent).not.toHaveProperty('latest_charge');
    expect(intent.charges).toMatchObject({ object: 'list', data: [expect.objectContaining({ id: charge })] });
    expect(objectOf(events, 'charge.refunded').refunds).toMatchObject({
      object: 'list',
      data: [expect.objectContaining({ object: 'refund' })],
    });
    // The API itself answers in the version asked for (ours, pinned by the SDK).
    const fetched = await stripe.paymentIntents.retrieve(String(intent.id));
    expect(fetched.latest_charge).toBe(charge);
    expect(fetched).not.toHaveProperty('charges');
  });

  it("renders a 2024-06-20 account's events in that version, with the fields that did not change", async () => {
    const { events, charge } = await eventsOf('2024-06-20');
    expect(events.every((e) => e.api_version === '2024-06-20')).toBe(true);
    expect(objectOf(events, 'payment_intent.succeeded').latest_charge).toBe(charge);
    expect((objectOf(events, 'charge.refunded').refunds as { data?: unknown[] } | undefined)?.data ?? []).toEqual([]);
    const ours = await eventsOf();
    expect(ours.events.every((e) => e.api_version === API_VERSION)).toBe(true);
  });
});

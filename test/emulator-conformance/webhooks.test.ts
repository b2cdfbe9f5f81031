import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../server/emulator/index.js';
import { control, createAccount, withEmulator, type DemoAccount } from '../support/emulator.js';

interface Received {
  path: string;
  body: string;
  signature: string;
}

/** A stand-in receiver that answers with the statuses it is told to, recording raw bodies. */
async function receiver(statuses: number[] = []) {
  const received: Received[] = [];
  const app = express();
  app.post('/:name', express.raw({ type: '*/*' }), (req, res) => {
    received.push({ path: req.params.name!, body: String(req.body), signature: String(req.headers['stripe-signature']) });
    res.sendStatus(statuses.shift() ?? 200);
  });
  const server: Server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  return { received, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

describe('emulator webhooks', () => {
  let emulator: Emulator;
  let merchant: DemoAccount;
  let other: DemoAccount;
  const sdk = new Stripe('sk_test_unused');

  beforeAll(async () => {
    emulator = await withEmulator({
      settings: { webhookRetryDelaysMs: [50, 50, 50] },
      app: { redirectUris: ['http://127.0.0.1:1/oauth/callback'] },
    });
    merchant = await createAccount(emulator, { name: 'Hooked' });
    other = await createAccount(emulator, { name: 'Other' });
  });
  afterAll(() => emulator.close());

  it('signs deliveries so that stripe.webhooks.constructEvent verifies them, and retries non-2xx', async () => {
    const sink = await receiver([500, 503]);
    const endpoint = await control<{ id: string; secret: string }>(emulator, 'POST', '/webhook_endpoints', {
      url: `${sink.url}/merchant`,
      mode: 'test',
      account: merchant.id,
      enabled_events: ['charge.succeeded'],
    });
    await control(emulator, 'POST', '/scenarios/payment', { account: merchant.id, amount: 1234 });
    await control(emulator, 'POST', '/scenarios/payment', { account: other.id, amount: 999 });
    await emulator.webhooks.idle();
    sink.close();

    expect(sink.received).toHaveLength(3);
    for (const delivery of sink.received) {
      const event = sdk.webhooks.constructEvent(delivery.body, delivery.signature, endpoint.secret);
      expect(event.type).toBe('charge.succeeded');
      expect((event.data.object as Stripe.Charge).amount).toBe(1234);
    }
    expect(() => sdk.webhooks.constructEvent(sink.received[0]!.body, sink.received[0]!.signature, 'whsec_wrong')).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
    const deliveries = await control<{ endpoint: string; status: number }[]>(emulator, 'GET', '/webhook_deliveries');
    expect(deliveries.filter((d) => d.endpoint === endpoint.id).map((d) => d.status)).toEqual([500, 503, 200]);
  });

  it('delivers every installed account to the app endpoint, with drops and duplicates when told', async () => {
    const sink = await receiver();
    // Stripe retries for days; with 30% drops, five quick retries lose an event in about 1 run of 70.
    await control(emulator, 'POST', '/settings', { webhookRetryDelaysMs: Array.from({ length: 15 }, () => 50) });
    const endpoint = await control<{ id: string; secret: string }>(emulator, 'POST', '/webhook_endpoints', {
      url: `${sink.url}/app`,
      mode: 'test',
      enabled_events: ['payment_intent.succeeded'],
      faults: { dropRate: 0.3, duplicateRate: 0.5, jitterMs: 30 },
    });
    const { redirect_url } = await control<{ redirect_url: string }>(emulator, 'POST', '/oauth/install', { account: merchant.id });
    expect(redirect_url).toContain('code=');
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const r = await control<{ paymentIntent: { id: string } }>(emulator, 'POST', '/scenarios/payment', { account: merchant.id });
      ids.add(r.paymentIntent.id);
      await control(emulator, 'POST', '/scenarios/payment', { account: other.id });
    }
    await emulator.webhooks.idle();
    sink.close();
    const events = sink.received.map((d) => sdk.webhooks.constructEvent(d.body, d.signature, endpoint.secret));
    expect(events.every((e) => e.account === merchant.id)).toBe(true);
    expect(new Set(events.map((e) => (e.data.object as Stripe.PaymentIntent).id))).toEqual(ids);
    expect(events.length).toBeGreaterThan(ids.size);
  });
});

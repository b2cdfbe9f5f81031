import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../server/emulator/index.js';
import { control, createAccount, stripeAt, withEmulator, type DemoAccount } from '../support/emulator.js';

async function burst(client: Stripe, n: number, call: (c: Stripe) => Promise<unknown>) {
  const results = await Promise.allSettled(Array.from({ length: n }, () => call(client)));
  const limited = results
    .filter((r) => r.status === 'rejected')
    .map((r) => (r as PromiseRejectedResult).reason as Stripe.errors.StripeError);
  return { ok: results.length - limited.length, limited };
}

describe('emulator rate limits, faults and counters', () => {
  let emulator: Emulator;
  let account: DemoAccount;

  beforeAll(async () => {
    emulator = await withEmulator();
    account = await createAccount(emulator, { name: 'Busy Shop' });
  });
  afterAll(() => emulator.close());

  it('answers 429 with Stripe-Rate-Limited-Reason past 25 req/s in test mode, and recovers within a second', async () => {
    const client = stripeAt(emulator, account.keys.test);
    const { ok, limited } = await burst(client, 40, (c) => c.charges.list({ limit: 1 }));
    expect(ok).toBe(25);
    expect(limited).toHaveLength(15);
    expect(limited[0]).toMatchObject({ type: 'StripeRateLimitError', statusCode: 429, code: 'rate_limit' });
    expect(limited[0]!.headers?.['stripe-rate-limited-reason']).toMatch(/^(global|endpoint)-rate$/);
    await new Promise((r) => setTimeout(r, 1050));
    await expect(client.charges.list({ limit: 1 })).resolves.toMatchObject({ object: 'list' });
  });

  it('limits live mode to 25 req/s per endpoint within 100 req/s overall', async () => {
    await new Promise((r) => setTimeout(r, 1050));
    const client = stripeAt(emulator, account.keys.live);
    const [charges, payouts] = await Promise.all([
      burst(client, 30, (c) => c.charges.list({ limit: 1 })),
      burst(client, 20, (c) => c.payouts.list({ limit: 1 })),
    ]);
    expect(charges.ok).toBe(25);
    expect(charges.limited.every((e) => e.headers?.['stripe-rate-limited-reason'] === 'endpoint-rate')).toBe(true);
    expect(payouts.ok).toBe(20);
  });

  it("limits requests in flight like Stripe's concurrency limiter: 429 global-concurrency / endpoint-concurrency", async () => {
    // Stripe's rate limits page, "API limiters": "several limiters in the API, including a rate
    // limiter and a concurrency limiter"; 429s name the limiter in Stripe-Rate-Limited-Reason.
    await new Promise((r) => setTimeout(r, 1050));
    await control(emulator, 'POST', '/settings', { latencyMs: 150, concurrency: { global: 3, endpoint: 0 } });
    try {
      const client = stripeAt(emulator, account.keys.test);
      const started = Date.now();
      const { ok, limited } = await burst(client, 6, (c) => c.charges.list({ limit: 1 }));
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      expect(ok).toBe(3);
      expect(limited.map((e) => [e.statusCode, e.code, e.headers?.['stripe-rate-limited-reason']])).toEqual(
        Array(3).fill([429, 'rate_limit', 'global-concurrency']),
      );
      await new Promise((r) => setTimeout(r, 1050));
      await control(emulator, 'POST', '/settings', { concurrency: { global: 0, endpoint: 2 } });
      const [charges, payouts] = await Promise.all([
        burst(client, 3, (c) => c.charges.list({ limit: 1 })),
        burst(client, 2, (c) => c.payouts.list({ limit: 1 })),
      ]);
      expect([charges.ok, payouts.ok]).toEqual([2, 2]);
      expect(charges.limited[0]!.headers?.['stripe-rate-limited-reason']).toBe('endpoint-concurrency');
      const traffic = await control<{ concurrency_limited: number }>(emulator, 'GET', `/traffic?account=${account.id}`);
      expect(traffic.concurrency_limited).toBe(4);
    } finally {
      await control(emulator, 'POST', '/settings', { latencyMs: 0, concurrency: { global: 0, endpoint: 0 } });
    }
  });

  it('injects faults by path: statuses for the first N requests, and connection resets', async () => {
    await new Promise((r) => setTimeout(r, 1050));
    await control(emulator, 'POST', '/faults', { path: '^/v1/payouts$', action: 503, times: 2 });
    const noRetry = stripeAt(emulator, account.keys.test);
    await expect(noRetry.payouts.list()).rejects.toMatchObject({ type: 'StripeAPIError', statusCode: 503 });
    const retrying = stripeAt(emulator, account.keys.test, { maxNetworkRetries: 2 });
    await expect(retrying.payouts.list()).resolves.toMatchObject({ object: 'list' });

    // stripe-node retries a closed connection once even with retries off; two resets get through.
    await control(emulator, 'POST', '/faults', { path: '^/v1/disputes$', action: 'reset', times: 2 });
    await expect(noRetry.disputes.list()).rejects.toMatchObject({ type: 'StripeConnectionError' });
    await expect(noRetry.disputes.list()).resolves.toMatchObject({ object: 'list' });
    await control(emulator, 'POST', '/faults', { path: '^/v1/refunds$', action: 'reset', times: 1 });
    await expect(noRetry.refunds.list()).resolves.toMatchObject({ object: 'list' });
    await control(emulator, 'DELETE', '/faults');
  });

  it('counts requests per endpoint and per account', async () => {
    await control(emulator, 'DELETE', '/requests');
    await new Promise((r) => setTimeout(r, 1050));
    const client = stripeAt(emulator, account.keys.test);
    await client.refunds.list();
    await client.refunds.list();
    await client.refunds.retrieve('re_missing0000000000000000').catch(() => undefined);
    const counters = await control<Record<string, number>>(emulator, 'GET', '/requests');
    expect(counters['GET /v1/refunds']).toBe(3);
    expect(counters[`${account.id} GET /v1/refunds`]).toBe(3);
  });
});

import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../server/emulator/index.js';
import { control, createAccount, stripeAt, withEmulator, type DemoAccount } from '../support/emulator.js';

describe('emulator lists behave like Stripe', () => {
  let emulator: Emulator;
  let account: DemoAccount;
  let stripe: Stripe;
  let truth: Record<string, { id: string; created: number }[]>;

  beforeAll(async () => {
    emulator = await withEmulator({ settings: { rateLimits: { enabled: false, test: 25, liveGlobal: 100, liveEndpoint: 25, files: 20 } } });
    account = await createAccount(emulator, { name: 'Lists Ltd' });
    await control(emulator, 'POST', '/generate', { account: account.id, payments: 1200, days: 60, burst: 250 });
    truth = await control(emulator, 'GET', `/truth?account=${account.id}&mode=test`);
    stripe = stripeAt(emulator, account.keys.test);
  });
  afterAll(() => emulator.close());

  it('auto-paginates 1,200 charges with a 250-in-one-second burst, every id exactly once', async () => {
    const charges = truth.charge!;
    const perSecond = new Map<number, number>();
    for (const c of charges) perSecond.set(c.created, (perSecond.get(c.created) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeGreaterThanOrEqual(250);

    const seen: string[] = [];
    for await (const charge of stripe.charges.list({ limit: 100 })) seen.push(charge.id);
    expect(seen).toHaveLength(charges.length);
    expect(new Set(seen).size).toBe(charges.length);
    expect(new Set(seen)).toEqual(new Set(charges.map((c) => c.id)));
  });

  it('pages newest first, and ending_before walks back to the same pages', async () => {
    const forward: Stripe.Charge[][] = [];
    let page = await stripe.charges.list({ limit: 100 });
    forward.push(page.data);
    while (page.has_more) {
      page = await stripe.charges.list({ limit: 100, starting_after: page.data.at(-1)!.id });
      forward.push(page.data);
    }
    const flat = forward.flat();
    for (let i = 1; i < flat.length; i++) expect(flat[i - 1]!.created).toBeGreaterThanOrEqual(flat[i]!.created);

    // From the oldest page, ending_before returns each newer page, still newest first.
    const back: Stripe.Charge[][] = [forward.at(-1)!];
    let cursor = forward.at(-1)![0]!.id;
    for (;;) {
      const p = await stripe.charges.list({ limit: 100, ending_before: cursor });
      if (!p.data.length) break;
      back.unshift(p.data);
      cursor = p.data[0]!.id;
      if (!p.has_more) break;
    }
    expect(back.flat().map((c) => c.id)).toEqual(flat.map((c) => c.id));
  });

  it('filters on created: integer, gt, gte, lt, lte', async () => {
    const charges = truth.charge!;
    const burstSecond = [...charges.reduce((m, c) => m.set(c.created, (m.get(c.created) ?? 0) + 1), new Map<number, number>())].sort(
      (a, b) => b[1] - a[1],
    )[0]![0];
    const all = async (params: Stripe.ChargeListParams) => {
      const ids: string[] = [];
      for await (const c of stripe.charges.list({ limit: 100, ...params })) ids.push(c.id);
      return ids.sort();
    };
    const expected = (pred: (t: number) => boolean) =>
      charges
        .filter((c) => pred(c.created))
        .map((c) => c.id)
        .sort();
    expect(await all({ created: burstSecond })).toEqual(expected((t) => t === burstSecond));
    expect(await all({ created: { gt: burstSecond } })).toEqual(expected((t) => t > burstSecond));
    expect(await all({ created: { gte: burstSecond, lte: burstSecond + 86400 } })).toEqual(
      expected((t) => t >= burstSecond && t <= burstSecond + 86400),
    );
    expect(await all({ created: { lt: burstSecond } })).toEqual(expected((t) => t < burstSecond));
  });

  it('applies resource filters: balance transactions by payout and type, refunds by charge', async () => {
    const payouts = await stripe.payouts.list({ limit: 3 });
    const payout = payouts.data.find((p) => p.status === 'paid')!;
    const settled: Stripe.BalanceTransaction[] = [];
    for await (const t of stripe.balanceTransactions.list({ payout: payout.id, limit: 100 })) settled.push(t);
    expect(settled.some((t) => t.type === 'payout' && t.source === payout.id)).toBe(true);
    const sumNet = settled.filter((t) => t.type !== 'payout').reduce((s, t) => s + t.net, 0);
    expect(sumNet).toBe(payout.amount);

    const refunds = await stripe.balanceTransactions.list({ type: 'refund', limit: 100 });
    expect(refunds.data.length).toBeGreaterThan(0);
    expect(refunds.data.every((t) => t.type === 'refund' && t.amount < 0)).toBe(true);
    const refund = (await stripe.refunds.list({ limit: 1 })).data[0]!;
    const byCharge = await stripe.refunds.list({ charge: refund.charge as string });
    expect(byCharge.data.map((r) => r.id)).toContain(refund.id);
    expect(byCharge.data.every((r) => r.charge === refund.charge)).toBe(true);
  });

  it('answers Stripe-shaped errors for bad limits, unknown params and unknown ids', async () => {
    await expect(stripe.charges.list({ limit: 101 })).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      statusCode: 400,
      param: 'limit',
    });
    await expect(stripe.charges.list({ colour: 'red' } as Stripe.ChargeListParams)).rejects.toMatchObject({
      statusCode: 400,
      code: 'parameter_unknown',
    });
    await expect(stripe.charges.retrieve('ch_doesnotexist')).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing' });
    await expect(stripe.charges.list({ starting_after: 'ch_doesnotexist' })).rejects.toMatchObject({
      statusCode: 404,
      param: 'starting_after',
    });
    const tenByDefault = await stripe.paymentIntents.list();
    expect(tenByDefault.data).toHaveLength(10);
    expect(tenByDefault.has_more).toBe(true);
  });
  it('lists what a payout settled for automatic payouts only, and refuses the filter for a manual one', async () => {
    // stripe-facts.md ("Lists"): "for a manual payout (automatic: false) Stripe refuses the filter".
    // A payment old enough to be available, which the manual payout then withdraws.
    // Large enough to outweigh whatever refunds and disputes left unsettled since the last automatic payout.
    await control(emulator, 'POST', '/scenarios/payment', {
      account: account.id,
      amount: 50_000_000,
      at: Math.floor(Date.now() / 1000) - 10 * 86400,
    });
    const manual = await control<{ id: string; automatic: boolean }>(emulator, 'POST', '/scenarios/payout', {
      account: account.id,
      manual: true,
    });
    expect(manual.automatic).toBe(false);
    const err = await stripe.balanceTransactions.list({ payout: manual.id }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 400, param: 'payout' });
    expect((err as Error).message).toContain('can only be filtered on automatic transfers');
    const automatic = (await stripe.payouts.list({ limit: 100 })).data.find((p) => p.automatic && p.id !== manual.id)!;
    expect((await stripe.balanceTransactions.list({ payout: automatic.id, limit: 5 })).data.length).toBeGreaterThan(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../server/emulator/index.js';
import { control, createAccount, platformKey, stripeAt, withEmulator, type DemoAccount } from '../support/emulator.js';

describe('emulator keys, accounts and permissions', () => {
  let emulator: Emulator;
  let alpha: DemoAccount;
  let beta: DemoAccount;
  let alphaCharge: string;

  beforeAll(async () => {
    emulator = await withEmulator();
    alpha = await createAccount(emulator, { name: 'Alpha' });
    beta = await createAccount(emulator, { name: 'Beta' });
    const result = await control<{ charge: { id: string } }>(emulator, 'POST', '/scenarios/payment', { account: alpha.id, amount: 5000 });
    alphaCharge = result.charge.id;
  });
  afterAll(() => emulator.close());

  it('isolates accounts: a platform key reaches any account through Stripe-Account, others only their own', async () => {
    const platform = await platformKey(emulator);
    const viaPlatform = stripeAt(emulator, platform, { stripeAccount: alpha.id });
    expect((await viaPlatform.charges.retrieve(alphaCharge)).amount).toBe(5000);
    expect((await viaPlatform.accounts.retrieveCurrent()).id).toBe(alpha.id);

    const betaClient = stripeAt(emulator, beta.keys.test);
    await expect(betaClient.charges.retrieve(alphaCharge)).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing' });
    expect((await betaClient.charges.list()).data).toEqual([]);
    await expect(stripeAt(emulator, beta.keys.test, { stripeAccount: alpha.id }).charges.list()).rejects.toMatchObject({
      type: 'StripePermissionError',
      statusCode: 403,
    });
  });

  it('keeps test and live data apart: livemode follows the key', async () => {
    const live = stripeAt(emulator, alpha.keys.live);
    await expect(live.charges.retrieve(alphaCharge)).rejects.toMatchObject({ statusCode: 404 });
    const test = await stripeAt(emulator, alpha.keys.test).charges.retrieve(alphaCharge);
    expect(test.livemode).toBe(false);
  });

  it('refuses a restricted key the permission it lacks with a 403 naming it', async () => {
    const { key } = await control<{ key: string }>(emulator, 'POST', '/keys', {
      account: alpha.id,
      mode: 'test',
      permissions: ['charge_read'],
    });
    expect(key).toMatch(/^rk_test_/);
    const restricted = stripeAt(emulator, key);
    expect((await restricted.charges.list()).data.length).toBe(1);
    const denied = await restricted.payouts.list().catch((e: unknown) => e);
    expect(denied).toMatchObject({ type: 'StripePermissionError', statusCode: 403 });
    expect((denied as Error).message).toContain("'payout_read'");
  });

  it('answers 401 for unknown keys and missing keys', async () => {
    await expect(stripeAt(emulator, 'sk_test_unknownkey123').charges.list()).rejects.toMatchObject({
      type: 'StripeAuthenticationError',
      statusCode: 401,
    });
    const res = await fetch(`${emulator.url}/v1/charges`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
  });
});

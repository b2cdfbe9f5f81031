import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../shared/contracts/connection-status.js';
import type Stripe from 'stripe';
import { getConnection } from '../../server/connections/connection-repository.js';
import { limitedCall } from '../../server/stripe/call-policy.js';
import { createServices } from '../../server/services.js';
import { control, createAccount, type DemoAccount } from '../support/emulator.js';
import { DIALECTS } from '../support/databases.js';
import { capturedLogger } from '../support/log-capture.js';
import { install, startStack, type Stack } from '../support/stack.js';

describe.each(DIALECTS)('OAuth token lifecycle on %s', (dialect) => {
  let stack: Stack;
  let merchant: DemoAccount;
  let connectionId: string;

  const tokenExchanges = async () =>
    (await control<Record<string, number>>(stack.emulator, 'GET', '/requests'))['POST /v1/oauth/token'] ?? 0;
  const connection = async () => (await getConnection(stack.database.db, connectionId))!;
  /** A call the way import, poller and reports make them: a session under the call policy. */
  const viaSession = async <T>(fn: (s: Stripe) => Promise<T>): Promise<T> => {
    const session = await stack.services.stripe.session(await connection());
    return limitedCall(stack.services.limiters.for(merchant.id, 'test'), 'test', () => fn(session.client()), {
      refreshAuth: session.refreshAuth,
    });
  };

  beforeAll(async () => {
    stack = await startStack(dialect);
    merchant = await createAccount(stack.emulator, { name: 'Token Shop' });
    await install(stack, merchant.id);
    await stack.services.jobs.idle();
    connectionId = String((await stack.database.db('connections').where({ account_id: merchant.id }).first()).id);
  });
  afterAll(() => stack.close());

  it('refreshes ahead of expiry, rotating the refresh token', async () => {
    const before = await tokenExchanges();
    const oldRefresh = (await stack.services.secrets.get(connectionId, 'refresh_token'))!;
    const oldAccess = (await stack.services.secrets.get(connectionId, 'access_token'))!.value;
    await stack.database
      .db('connections')
      .where({ id: connectionId })
      .update({ token_expires_at: Date.now() + 60_000 });

    const charges = await viaSession((s) => s.charges.list({ limit: 1 }));
    expect(charges.object).toBe('list');
    expect(await tokenExchanges()).toBe(before + 1);
    const now = await connection();
    expect(now.tokenExpiresAt! - Date.now()).toBeGreaterThan(55 * 60 * 1000);
    expect((await stack.services.secrets.get(connectionId, 'access_token'))!.value).not.toBe(oldAccess);
    const newRefresh = (await stack.services.secrets.get(connectionId, 'refresh_token'))!;
    expect(newRefresh.value).not.toBe(oldRefresh.value);
    expect(newRefresh.version).toBe(oldRefresh.version + 1);

    // The old refresh token is dead at Stripe: rotation was respected, not merely recorded.
    const res = await fetch(`${stack.emulator.url}/v1/oauth/token`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${stack.config.stripe.test.secretKey}:`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: oldRefresh.value }),
    });
    expect(res.status).toBe(400);
  });

  it('refreshes after a 401 api_key_expired and retries the call', async () => {
    const before = await tokenExchanges();
    await control(stack.emulator, 'POST', '/clock', { advance_seconds: 3700 });
    try {
      const list = await viaSession((s) => s.payouts.list({ limit: 1 }));
      expect(list.object).toBe('list');
      expect(await tokenExchanges()).toBe(before + 1);
    } finally {
      await control(stack.emulator, 'POST', '/clock', { advance_seconds: -3700 });
    }
  });

  it('makes one token exchange for concurrent refreshes, in one process and across two', async () => {
    const before = await tokenExchanges();
    const tokens = await Promise.all([stack.services.tokens.refresh(connectionId), stack.services.tokens.refresh(connectionId)]);
    expect(tokens[0]).toBe(tokens[1]);
    expect(await tokenExchanges()).toBe(before + 1);

    // A second process: its own services on the same database.
    const other = createServices(stack.config, stack.database.db, capturedLogger().logger);
    await stack.database.db('connections').where({ id: connectionId }).update({ token_expires_at: Date.now() });
    const [a, b] = await Promise.all([stack.services.tokens.accessToken(connectionId), other.tokens.accessToken(connectionId)]);
    expect(a).toBe(b);
    expect(await tokenExchanges()).toBe(before + 2);
    expect((await connection()).state).toBe('live');
  });

  it('sweeps tokens that expire soon', async () => {
    await stack.database
      .db('connections')
      .where({ id: connectionId })
      .update({ token_expires_at: Date.now() + 10 * 60 * 1000 });
    expect(await stack.services.tokens.refreshExpiring(15 * 60 * 1000)).toBe(1);
    expect((await connection()).tokenExpiresAt! - Date.now()).toBeGreaterThan(55 * 60 * 1000);
    expect(await stack.services.tokens.refreshExpiring(15 * 60 * 1000)).toBe(0);
  });

  it('turns an invalid_grant not confirmed as an uninstall (access token expired too) into reauthorization_required + link', async () => {
    // An expired access token is refused whatever happened, so it proves nothing: tokens are kept.
    await stack.database
      .db('connections')
      .where({ id: connectionId })
      .update({ token_expires_at: Date.now() - 1000 });
    await control(stack.emulator, 'POST', '/oauth/uninstall', { account: merchant.id, mode: 'test' });
    await expect(stack.services.tokens.refresh(connectionId)).rejects.toMatchObject({ code: 'reauthorization_required' });
    const status = (await (await stack.support(`/connections/${connectionId}`)).json()) as ConnectionStatus;
    expect(status).toMatchObject({
      state: 'reauthorization_required',
      connected: false,
      actions: ['reauthorize', 'disconnect'],
      reauthorize_url: `${stack.url}/oauth/install?mode=test`,
    });
    expect(status.state_reason).toContain('invalid_grant');
    expect(status.last_error?.message).toContain('invalid_grant');
    expect(status.what_to_do).toContain('reinstall');
    await expect(stack.services.tokens.accessToken(connectionId)).rejects.toMatchObject({ code: 'reauthorization_required' });
    expect(await stack.database.db('connection_secrets').where({ connection_id: connectionId })).not.toEqual([]);
  });
});

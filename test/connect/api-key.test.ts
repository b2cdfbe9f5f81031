import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../shared/contracts/connection-status.js';
import { control, createAccount, type DemoAccount } from '../support/emulator.js';
import { DIALECTS } from '../support/databases.js';
import { install, startStack, type Stack } from '../support/stack.js';

const ALL_BUT_BALANCE = [
  'charge_read',
  'payment_intent_read',
  'dispute_read',
  'payout_read',
  'balance_transaction_source_read',
  'review_read',
  'file_read',
  'report_runs_and_report_types_read',
  'event_read',
  'connected_account_read',
];

describe.each(DIALECTS)('API-key connections and secrets at rest on %s', (dialect) => {
  let stack: Stack;
  let merchant: DemoAccount;

  beforeAll(async () => {
    stack = await startStack(dialect);
    merchant = await createAccount(stack.emulator, { name: 'Key Holder' });
  });
  afterAll(() => stack.close());

  const connect = async (body: Record<string, unknown>) => {
    const res = await stack.support('/connections', { method: 'POST', body: JSON.stringify(body) });
    return {
      status: res.status,
      body: (await res.json()) as {
        connection: ConnectionStatus;
        warnings: string[];
        webhook_url: string | null;
        error?: { code: string; message: string };
      },
    };
  };

  it('connects with a full secret key, recommending a restricted one', async () => {
    const res = await connect({
      name: 'Key Holder Ltd',
      api_key: merchant.keys.test,
      merchant_id: 'm-42',
      webhook_secret: 'whsec_abcDEF123',
    });
    expect(res.status).toBe(201);
    expect(res.body.warnings[0]).toContain('restricted key');
    expect(res.body.webhook_url).toBe(`${stack.url}/webhooks/stripe/m-42`);
    expect(res.body.connection).toMatchObject({
      account_id: merchant.id,
      auth: 'api_key',
      merchant_id: 'm-42',
      name: 'Key Holder Ltd',
      missing_permissions: [],
    });
    await stack.services.jobs.idle();
    const detail = (await (await stack.support(`/connections/${res.body.connection.id}`)).json()) as ConnectionStatus;
    expect(detail.state).toBe('live');
  });

  it('puts a restricted key without balance access in permission_missing, naming it', async () => {
    const shop = await createAccount(stack.emulator, { name: 'Restricted Shop' });
    const { key } = await control<{ key: string }>(stack.emulator, 'POST', '/keys', {
      account: shop.id,
      mode: 'live',
      permissions: ALL_BUT_BALANCE,
    });
    const res = await connect({ name: 'Restricted Shop', api_key: key });
    expect(res.status).toBe(201);
    expect(res.body.warnings).toEqual([]);
    expect(res.body.connection).toMatchObject({
      mode: 'live',
      state: 'permission_missing',
      missing_permissions: ['balance_read'],
      actions: ['resync', 'disconnect'],
    });
    expect(res.body.connection.state_reason).toContain('balance_read');
    expect(res.body.connection.what_to_do).toContain('balance_read');
  });

  it('refuses a revoked key with a clear 400', async () => {
    const shop = await createAccount(stack.emulator, { name: 'Revoked' });
    const { key } = await control<{ key: string }>(stack.emulator, 'POST', '/keys', {
      account: shop.id,
      mode: 'test',
      permissions: ALL_BUT_BALANCE,
    });
    await control(stack.emulator, 'POST', '/keys/revoke', { key });
    const res = await connect({ name: 'Revoked', api_key: key });
    expect(res.status).toBe(400);
    expect(res.body.error!.message).toBe('Stripe rejected this API key: it is revoked, expired or mistyped.');
  });

  it.each([
    ['a key Stripe never issued', 'sk_test_neverIssued000000000000000000', 'revoked, expired or mistyped'],
    ['a publishable key', 'pk_test_abcdefghijklmnop', 'publishable key'],
    ['a malformed key', 'not-a-key', 'restricted key (rk_live_'],
  ])('refuses %s with a clear 400', async (_label, apiKey, message) => {
    const res = await connect({ name: 'Nope', api_key: apiKey });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_request' });
    expect(res.body.error!.message).toContain(message);
  });

  it('validates the body: missing name, unknown fields, bad webhook secret', async () => {
    expect((await connect({ api_key: merchant.keys.test })).status).toBe(400);
    expect((await connect({ name: 'x', api_key: merchant.keys.test, colour: 'red' })).status).toBe(400);
    const bad = await connect({ name: 'x', api_key: merchant.keys.test, webhook_secret: 'secret' });
    expect(bad.status).toBe(400);
    expect(bad.body.error!.message).toContain('webhook_secret');
  });

  it('keeps no secret in plaintext anywhere in the database, and none in the logs', async () => {
    const oauthShop = await createAccount(stack.emulator, { name: 'OAuth Shop' });
    await install(stack, oauthShop.id);
    await stack.services.jobs.idle();
    const issued = [...stack.emulator.state.keys.values()].filter((k) => k.kind === 'oauth').map((k) => k.key);
    expect(issued.length).toBeGreaterThan(0);
    const secrets = [merchant.keys.test, 'whsec_abcDEF123', ...issued];

    const tables =
      dialect === 'sqlite'
        ? (await stack.database.db.raw("select name from sqlite_master where type = 'table'")).map((r: { name: string }) => r.name)
        : (await stack.database.db.raw("select tablename as name from pg_tables where schemaname = 'public'")).rows.map(
            (r: { name: string }) => r.name,
          );
    let cells = 0;
    for (const table of tables) {
      for (const row of await stack.database.db(table).select('*')) {
        for (const value of Object.values(row)) {
          const text = typeof value === 'string' ? value : JSON.stringify(value ?? '');
          cells++;
          for (const secret of secrets) expect(text, `${table} holds a secret`).not.toContain(secret);
          expect(text).not.toMatch(/\b(sk|rk)_(test|live)_[A-Za-z0-9]{20,}|\brt_[A-Za-z0-9]{20,}/);
        }
      }
    }
    expect(cells).toBeGreaterThan(50);
    expect(
      await stack.database
        .db('connection_secrets')
        .count({ n: '*' })
        .then((r) => Number(r[0]!.n)),
    ).toBeGreaterThanOrEqual(4);
    const logs = stack.logs();
    for (const secret of secrets) expect(logs).not.toContain(secret);

    const list = await (await stack.support('/connections')).text();
    for (const secret of secrets) expect(list).not.toContain(secret);
  });
});

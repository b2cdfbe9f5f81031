import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { appSignature } from '../support/app-signing.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectOfDb, type Dialect } from '../../server/db/database.js';
import type { ConnectionStatus } from '../../shared/contracts/connection-status.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { control, createAccount, overview, platformKey, withEmulator } from '../support/emulator.js';
import { freePort } from '../support/http.js';
import { install } from '../support/stack.js';
import { processEnv, spawnProcess, until, type Worker } from '../support/workers.js';
import type { Emulator } from '../../server/emulator/index.js';

const CLI = fileURLToPath(new URL('../../server/cli/main.ts', import.meta.url));
const run = promisify(execFile);

/**
 * The whole flow with every secret we hold in play, and everything the product says captured:
 * its logs (at debug), every HTTP response (bodies and headers), the CLI's output and every
 * column of every table. No token, key or secret may appear in any of them in plaintext.
 */
describe.each(DIALECTS)('secrets stay secret on %s', (dialect: Dialect) => {
  let emulator: Emulator;
  let database: TestDatabase;
  let server: Worker;
  let env: Record<string, string>;
  let url: string;
  const secrets = new Map<string, string>();
  const responses: string[] = [];
  const cliOutput: string[] = [];

  /** fetch that keeps what came back; the support session cookie is allowed in its own Set-Cookie only. */
  const call = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${url}${path}`, { redirect: 'manual', ...init });
    const text = await res.text();
    const headers = [...res.headers.entries()].filter(([k]) => !(path === '/api/support/session' && k === 'set-cookie'));
    responses.push(`${init.method ?? 'GET'} ${path} ${res.status}\n${headers.map(([k, v]) => `${k}: ${v}`).join('\n')}\n${text}`);
    return { res, text };
  };
  const support = (path: string, init: RequestInit = {}) =>
    call(`/api/support${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${secrets.get('support token')}`, 'Content-Type': 'application/json' },
    });
  const cli = async (...args: string[]) => {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', CLI, ...args], { env: { ...process.env, ...env } });
    cliOutput.push(stdout, stderr);
    return stdout;
  };

  beforeAll(async () => {
    emulator = await withEmulator();
    database = await createTestDatabase(dialect);
    url = `http://127.0.0.1:${await freePort()}`;
    const { app } = await overview(emulator);
    await control(emulator, 'POST', '/app', { redirect_uris: [`${url}/oauth/callback`] });
    // Access tokens expire after 2 s, so the flow refreshes (and rotates) them while it runs.
    await control(emulator, 'POST', '/settings', { tokenTtlSeconds: 2 });
    secrets.set('encryption key', randomBytes(32).toString('base64'));
    secrets.set('support token', `pis_${randomBytes(24).toString('base64url')}`);
    secrets.set('platform key', await platformKey(emulator, 'test'));
    secrets.set('app webhook secret', `whsec_${randomBytes(24).toString('hex')}`);
    secrets.set('app signing secret', `absec_${randomBytes(24).toString('hex')}`);
    env = processEnv(url, database.url, {
      STRIPE_API_BASE: emulator.url,
      STRIPE_SECRET_KEY_TEST: secrets.get('platform key')!,
      STRIPE_APP_CLIENT_ID_TEST: app.clientIds.test,
      STRIPE_APP_AUTHORIZE_URL_TEST: `${emulator.url}/oauth/v2/authorize`,
      STRIPE_WEBHOOK_SECRETS: secrets.get('app webhook secret')!,
      STRIPE_APP_SIGNING_SECRETS: secrets.get('app signing secret')!,
      ENCRYPTION_KEYS: secrets.get('encryption key')!,
      SUPPORT_TOKENS: secrets.get('support token')!,
      LOG_LEVEL: 'debug',
    });
    server = await spawnProcess(['server'], env, '"msg":"listening"');
  }, 60_000);

  afterAll(async () => {
    if (server?.process.exitCode === null) server.process.kill('SIGKILL');
    await server?.exited;
    await emulator?.close();
    await database?.drop();
  });

  it('never shows a token, key or secret in logs, responses, CLI output or the database', async () => {
    // A merchant installs the app (OAuth), another connects with a key and its own webhook secret.
    const oauthMerchant = await createAccount(emulator, { name: 'OAuth Merchant' });
    await control(emulator, 'POST', '/generate', { account: oauthMerchant.id, payments: 150, days: 30 });
    const keyMerchant = await createAccount(emulator, { name: 'Key Merchant' });
    await control(emulator, 'POST', '/generate', { account: keyMerchant.id, payments: 100, days: 30 });
    secrets.set('merchant api key', keyMerchant.keys.test);
    secrets.set('merchant webhook secret', `whsec_${randomBytes(24).toString('hex')}`);
    expect((await install({ url, emulator }, oauthMerchant.id)).status).toBe(200);
    await cli(
      'connect',
      '--name',
      'Key Merchant',
      '--merchant',
      'key-merchant',
      '--api-key',
      keyMerchant.keys.test,
      '--webhook-secret',
      secrets.get('merchant webhook secret')!,
    );

    const list = JSON.parse((await support('/connections')).text) as { data: ConnectionStatus[] };
    const keyed = list.data.find((c) => c.account_id === keyMerchant.id)!;
    const detail = JSON.parse((await support(`/connections/${keyed.id}`)).text) as { webhook_url: string };
    // Webhooks both ways: the app endpoint and the merchant's own, each signed with its secret.
    // (Not the uninstall: below, our next call must find out from a refused refresh.)
    await control(emulator, 'POST', '/webhook_endpoints', {
      url: `${url}/webhooks/stripe`,
      mode: 'test',
      secret: secrets.get('app webhook secret'),
      enabled_events: ['charge.succeeded', 'payment_intent.succeeded'],
    });
    await control(emulator, 'POST', '/webhook_endpoints', {
      url: detail.webhook_url,
      mode: 'test',
      account: keyMerchant.id,
      secret: secrets.get('merchant webhook secret'),
      enabled_events: ['*'],
    });
    for (let i = 0; i < 5; i++) {
      await control(emulator, 'POST', '/scenarios/payment', { account: oauthMerchant.id, amount: 1000 + i });
      await control(emulator, 'POST', '/scenarios/payment', { account: keyMerchant.id, amount: 2000 + i });
    }
    await until(
      'both imports',
      async () => JSON.parse((await support('/connections')).text) as { data: ConnectionStatus[] },
      (l) => l.data.length === 2 && l.data.every((c) => c.state === 'live'),
      60_000,
    );
    // Past the access token's life: the next calls refresh it.
    await new Promise((r) => setTimeout(r, 2500));
    const oauthConnection = list.data.find((c) => c.account_id === oauthMerchant.id)!;
    await support(`/connections/${oauthConnection.id}/resync`, { method: 'POST', body: JSON.stringify({ resource: 'payouts' }) });
    await until(
      'a refreshed token',
      async () => JSON.parse((await support(`/connections/${oauthConnection.id}`)).text) as ConnectionStatus,
      (s) => s.token?.refreshed_at !== oauthConnection.token?.refreshed_at && s.state === 'live',
      30_000,
    );

    // Support staff: a console session, every read, both rotations.
    const login = await call('/api/support/session', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: secrets.get('support token') }),
    });
    const cookie = login.res.headers.get('set-cookie')!;
    secrets.set('support session', /pi_support_session=([^;]+)/.exec(cookie)![1]!);
    const csrf = (JSON.parse(login.text) as { csrf_token?: string }).csrf_token;
    await call('/api/support/overview', { headers: { Cookie: cookie } });
    for (const c of list.data) {
      await support(`/connections/${c.id}`);
      await call(`/support/connections/${c.id}`, { headers: { Cookie: cookie } });
    }
    const rotatedKey = (await control<{ key: string }>(emulator, 'POST', '/keys', { account: keyMerchant.id, mode: 'test' })).key;
    secrets.set('rotated api key', rotatedKey);
    secrets.set('rotated webhook secret', `whsec_${randomBytes(24).toString('hex')}`);
    expect(
      (await support(`/connections/${keyed.id}/api-key`, { method: 'PUT', body: JSON.stringify({ api_key: rotatedKey }) })).res.status,
    ).toBe(200);
    expect(
      (
        await support(`/connections/${keyed.id}/webhook-secret`, {
          method: 'PUT',
          body: JSON.stringify({ webhook_secret: secrets.get('rotated webhook secret') }),
        })
      ).res.status,
    ).toBe(200);
    await call('/api/support/session', { method: 'DELETE', headers: { Cookie: cookie, ...(csrf ? { 'X-CSRF-Token': csrf } : {}) } });

    // The Stripe App's own calls, signed with the app secret.
    const identity = { user_id: 'usr_1Merchant', account_id: oauthMerchant.id, mode: 'test' };
    const signature = appSignature({ id: identity, secret: secrets.get('app signing secret')! }, { method: 'GET', path: '/status' });
    expect(
      (await call(`/api/app/status?${new URLSearchParams(identity)}`, { headers: { 'Stripe-Signature': signature } })).res.status,
    ).toBe(200);
    // Refused attempts that carry secrets must not echo them either.
    await call('/webhooks/stripe', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Stripe-Signature': `t=1,v1=${secrets.get('app webhook secret')}` },
      body: '{}',
    });
    await call('/api/support/connections', { headers: { Authorization: `Bearer ${secrets.get('support token')}x` } });
    // Stripe's errors echo credentials by prefix or masked tail ("rt_L7X6I…", "sk_test_****IXGP"):
    // an uninstall (the refresh now fails) and a revoked key, then everything that shows errors.
    await control(emulator, 'POST', '/oauth/uninstall', { account: oauthMerchant.id, mode: 'test' });
    await control(emulator, 'POST', '/keys/revoke', { key: rotatedKey });
    await new Promise((r) => setTimeout(r, 2500));
    for (const c of list.data) await support(`/connections/${c.id}/resync`, { method: 'POST', body: '{}' });
    await until(
      'both connections to see Stripe refuse them',
      async () => JSON.parse((await support('/connections')).text) as { data: ConnectionStatus[] },
      (l) => l.data.every((c) => c.state !== 'live' && c.state !== 'backfilling'),
      60_000,
    );
    for (const c of list.data) await support(`/connections/${c.id}`);
    await cli('status', '--json');
    await cli('status');

    // Every access and refresh token the emulator issued to us.
    for (const k of emulator.state.keys.values()) if (k.kind === 'oauth') secrets.set(`access token ${k.key.slice(0, 12)}`, k.key);
    const installation = (emulator.oauth as unknown as { installations: Map<string, { refreshToken: string }> }).installations;
    for (const i of installation.values()) if (i.refreshToken) secrets.set(`refresh token ${i.refreshToken.slice(0, 6)}`, i.refreshToken);
    expect([...secrets.keys()].filter((k) => k.startsWith('access token')).length).toBeGreaterThan(1);

    const places = {
      logs: server.output(),
      'HTTP responses': responses.join('\n'),
      'CLI output': cliOutput.join('\n'),
      database: await databaseText(database),
    };
    expect(places.logs.length).toBeGreaterThan(10_000);
    const leaks: string[] = [];
    for (const [name, value] of secrets) {
      // The whole value, and its random tail on its own (a prefix stripped still leaks).
      const needles = [value, value.replace(/^[a-z]+_(test_|live_)?/, '').slice(-16)];
      for (const [place, text] of Object.entries(places)) {
        if (needles.some((n) => text.includes(n))) leaks.push(`${name} in ${place}`);
      }
    }
    expect(leaks).toEqual([]);
    // No fragment either: anything shaped like the start of a credential, masked or cut short.
    const FRAGMENT = /\b(?:(?:sk|rk)_(?:test|live)_[A-Za-z0-9*]|rt_[A-Za-z0-9]|whsec_[A-Za-z0-9]|absec_[A-Za-z0-9]|pis_[A-Za-z0-9])/;
    const fragments = Object.entries(places).flatMap(([place, text]) =>
      text
        .split('\n')
        .filter((l) => FRAGMENT.test(l))
        .map((l) => `${place}: ${l.slice(0, 200)}`),
    );
    expect(fragments).toEqual([]);
    const stored = (await database.db('connections').select('last_error'))
      .map((r: { last_error: string | null }) => r.last_error)
      .join(' ');
    expect(stored).toMatch(/invalid_grant.*Invalid refresh token: \[redacted\]/);
  }, 180_000);
});

/** Every value of every column of every table of ours, as text. */
async function databaseText(database: TestDatabase): Promise<string> {
  const db = database.db;
  const tables =
    dialectOfDb(db) === 'postgres'
      ? ((await db.raw("select tablename as name from pg_tables where schemaname = 'public'")).rows as { name: string }[])
      : ((await db.raw("select name from sqlite_master where type = 'table'")) as { name: string }[]);
  const parts: string[] = [];
  for (const { name } of tables) parts.push(JSON.stringify(await db(name).select('*')));
  return parts.join('\n');
}

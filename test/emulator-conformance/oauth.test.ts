import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../server/emulator/index.js';
import {
  control,
  createAccount,
  oauthToken,
  overview,
  platformKey,
  stripeAt,
  withEmulator,
  type DemoAccount,
} from '../support/emulator.js';

const REDIRECT = 'http://127.0.0.1:1/oauth/callback';

describe('emulator Stripe Apps OAuth', () => {
  let emulator: Emulator;
  let merchant: DemoAccount;
  let clientId: string;

  beforeAll(async () => {
    emulator = await withEmulator({ app: { redirectUris: [REDIRECT] } });
    merchant = await createAccount(emulator, { name: 'OAuth Co' });
    clientId = (await overview(emulator)).app.clientIds.test;
  });
  afterAll(() => emulator.close());

  async function approve(state?: string): Promise<URL> {
    const stateParam = state ? `&state=${state}` : '';
    const page = await fetch(
      `${emulator.url}/oauth/v2/authorize?client_id=${clientId}&redirect_uri=${encodeURIComponent(REDIRECT)}${stateParam}`,
    );
    expect(await page.text()).toContain('Approve');
    const form = new URLSearchParams({
      client_id: clientId,
      redirect_uri: REDIRECT,
      account: merchant.id,
      decision: 'approve',
      ...(state ? { state } : {}),
    });
    const res = await fetch(`${emulator.url}/oauth/v2/authorize`, { method: 'POST', body: form, redirect: 'manual' });
    expect(res.status).toBe(302);
    return new URL(res.headers.get('location')!);
  }

  it('approves with code and state; denial redirects with access_denied', async () => {
    const redirect = await approve('st4te');
    expect(redirect.origin + redirect.pathname).toBe(REDIRECT);
    expect(redirect.searchParams.get('state')).toBe('st4te');
    expect(redirect.searchParams.get('code')).toMatch(/^ac_/);

    const deny = new URLSearchParams({ client_id: clientId, redirect_uri: REDIRECT, account: merchant.id, decision: 'deny', state: 'x' });
    const res = await fetch(`${emulator.url}/oauth/v2/authorize`, { method: 'POST', body: deny, redirect: 'manual' });
    expect(new URL(res.headers.get('location')!).searchParams.get('error')).toBe('access_denied');
    const bad = await fetch(
      `${emulator.url}/oauth/v2/authorize?client_id=${clientId}&redirect_uri=${encodeURIComponent('https://evil.example/cb')}`,
    );
    expect(bad.status).toBe(400);
  });

  it('exchanges a code once, with the platform key of the same mode only', async () => {
    const code = (await approve('s')).searchParams.get('code')!;
    const liveKey = await platformKey(emulator, 'live');
    expect(await oauthToken(emulator, liveKey, { grant_type: 'authorization_code', code })).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
    expect(await oauthToken(emulator, merchant.keys.test, { grant_type: 'authorization_code', code })).toMatchObject({ status: 401 });

    const testKey = await platformKey(emulator, 'test');
    const first = await oauthToken(emulator, testKey, { grant_type: 'authorization_code', code });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ stripe_user_id: merchant.id, livemode: false, scope: 'stripe_apps', token_type: 'bearer' });
    expect(first.body).not.toHaveProperty('expires_in');
    expect(await oauthToken(emulator, testKey, { grant_type: 'authorization_code', code })).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });

    // The access token is an API key for the merchant's account, no Stripe-Account needed.
    expect((await stripeAt(emulator, first.body.access_token!).accounts.retrieveCurrent()).id).toBe(merchant.id);
  });

  it('rotates refresh tokens: the old one fails with invalid_grant', async () => {
    const testKey = await platformKey(emulator, 'test');
    const code = (await approve()).searchParams.get('code')!;
    const issued = (await oauthToken(emulator, testKey, { grant_type: 'authorization_code', code })).body;
    const refreshed = await oauthToken(emulator, testKey, { grant_type: 'refresh_token', refresh_token: issued.refresh_token! });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(issued.refresh_token);
    expect(await oauthToken(emulator, testKey, { grant_type: 'refresh_token', refresh_token: issued.refresh_token! })).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
    expect(
      (await oauthToken(emulator, testKey, { grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token! })).status,
    ).toBe(200);
  });

  it('expires access tokens after their TTL with 401 api_key_expired', async () => {
    const testKey = await platformKey(emulator, 'test');
    const code = (await approve()).searchParams.get('code')!;
    const { access_token } = (await oauthToken(emulator, testKey, { grant_type: 'authorization_code', code })).body;
    const client = stripeAt(emulator, access_token!);
    await client.charges.list();
    await control(emulator, 'POST', '/clock', { advance_seconds: 3601 });
    await expect(client.charges.list()).rejects.toMatchObject({
      type: 'StripeAuthenticationError',
      statusCode: 401,
      code: 'api_key_expired',
    });
    await control(emulator, 'POST', '/clock', { advance_seconds: -3601 });
  });

  it("installs into a sandbox through the app's managed sandbox: its client id, and only its platform key exchanges the code", async () => {
    // Stripe Apps, "sandbox_install_compatible": installs into a sandbox connect to the app's
    // managed sandbox, an environment with its own platform keys (stripe-facts.md, field report).
    const view = await overview(emulator);
    expect(view.app.clientIds.sandbox).toMatch(/^ca_/);
    expect(new Set(Object.values(view.app.clientIds)).size).toBe(3);
    const sandbox = await createAccount(emulator, { name: 'Sandbox Co' });
    const page = await fetch(
      `${emulator.url}/oauth/v2/authorize?client_id=${view.app.clientIds.sandbox}&redirect_uri=${encodeURIComponent(REDIRECT)}`,
    );
    expect(await page.text()).toContain('into a sandbox');
    const { redirect_url } = await control<{ redirect_url: string }>(emulator, 'POST', '/oauth/install', {
      account: sandbox.id,
      mode: 'sandbox',
    });
    const code = new URL(redirect_url).searchParams.get('code')!;
    expect(await oauthToken(emulator, await platformKey(emulator, 'test'), { grant_type: 'authorization_code', code })).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
    const exchanged = await oauthToken(emulator, await platformKey(emulator, 'sandbox'), { grant_type: 'authorization_code', code });
    expect(exchanged).toMatchObject({ status: 200, body: { stripe_user_id: sandbox.id, livemode: false } });
    const refresh = { grant_type: 'refresh_token', refresh_token: exchanged.body.refresh_token! };
    expect((await oauthToken(emulator, await platformKey(emulator, 'test'), refresh)).status).toBe(400);
    expect((await oauthToken(emulator, await platformKey(emulator, 'sandbox'), refresh)).status).toBe(200);
  });

  it('sends Marketplace installs without state, and uninstall revokes tokens with a deauthorized event', async () => {
    const { redirect_url } = await control<{ redirect_url: string }>(emulator, 'POST', '/oauth/install', {
      account: merchant.id,
      mode: 'test',
    });
    const redirect = new URL(redirect_url);
    expect(redirect.searchParams.has('state')).toBe(false);
    expect(redirect.searchParams.get('account_id')).toBe(merchant.id);
    const testKey = await platformKey(emulator, 'test');
    const { access_token } = (
      await oauthToken(emulator, testKey, { grant_type: 'authorization_code', code: redirect.searchParams.get('code')! })
    ).body;

    // The app's endpoint and one of the merchant's own, both answering 200 (this is the last test here).
    const received: { path: string; type: string }[] = [];
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += String(c)));
      req.on('end', () => {
        received.push({ path: req.url ?? '', type: (JSON.parse(body) as { type: string }).type });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;
    await control(emulator, 'POST', '/webhook_endpoints', { url: `${hookUrl}/app`, mode: 'test', enabled_events: ['*'] });
    await control(emulator, 'POST', '/webhook_endpoints', {
      url: `${hookUrl}/merchant`,
      mode: 'test',
      account: merchant.id,
      enabled_events: ['*'],
    });
    await control(emulator, 'POST', '/oauth/uninstall', { account: merchant.id, mode: 'test' });
    await emulator.webhooks.idle();
    hook.close();
    expect(received.filter((r) => r.type === 'account.application.deauthorized').map((r) => r.path)).toEqual(['/app']);
    await expect(stripeAt(emulator, access_token!).charges.list()).rejects.toMatchObject({ statusCode: 401, code: undefined });
    // Stripe's event types: account.application.deauthorized is "sent to the related application
    // only": to the app's webhook endpoint, not listed in the merchant's events nor sent to its own endpoints.
    const events = await stripeAt(emulator, testKey, { stripeAccount: merchant.id }).events.list({ type: 'account.application.*' });
    expect(events.data.map((e) => e.type)).not.toContain('account.application.deauthorized');
  });
});

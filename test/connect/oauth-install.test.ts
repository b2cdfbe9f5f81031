import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../shared/contracts/connection-status.js';
import { control, createAccount, type DemoAccount } from '../support/emulator.js';
import { DIALECTS } from '../support/databases.js';
import { install, startStack, type Stack } from '../support/stack.js';

describe.each(DIALECTS)('Stripe Apps install on %s', (dialect) => {
  let stack: Stack;
  let merchant: DemoAccount;

  beforeAll(async () => {
    stack = await startStack(dialect);
    merchant = await createAccount(stack.emulator, { name: 'Roast & Co' });
  });
  afterAll(() => stack.close());

  const connections = async (query = '') =>
    ((await (await stack.support(`/connections${query}`)).json()) as { data: ConnectionStatus[] }).data;
  const count = async () => Number((await stack.database.db('connections').count({ n: '*' }))[0]!.n);

  it('install → authorize → callback → a live connection in status', async () => {
    const result = await install(stack, merchant.id);
    expect(result.authorize.origin).toBe(stack.emulator.url);
    expect(result.authorize.searchParams.get('redirect_uri')).toBe(`${stack.url}/oauth/callback`);
    expect(result.authorize.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(result.status).toBe(200);
    expect(result.page).toContain('is connected in test mode');
    expect(result.page).toContain('https://dashboard.stripe.com/test/dashboard');
    await stack.services.jobs.idle();

    const [listed] = await connections(`?q=${merchant.id}`);
    const status = (await (await stack.support(`/connections/${listed!.id}`)).json()) as ConnectionStatus;
    expect(status).toMatchObject({
      account_id: merchant.id,
      name: 'Roast & Co',
      mode: 'test',
      auth: 'oauth',
      install_source: 'oauth_install',
      state: 'live',
      connected: true,
      merchant_id: null,
    });
    expect(Date.parse(status!.token!.expires_at!) - Date.now()).toBeGreaterThan(55 * 60 * 1000);
    const detail = (await (await stack.support(`/connections/${status!.id}`)).json()) as { history: { to: string }[] };
    // Live once every page is stored, then live again with verification's result in the reason.
    expect(detail.history.map((h) => h.to)).toEqual(['live', 'live', 'backfilling', 'connecting']);
  });

  it('refuses a reused, forged or expired state and stores nothing', async () => {
    const before = await count();
    const first = await install(stack, merchant.id);
    expect(first.status).toBe(200);
    const replay = await fetch(first.callbackUrl);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('already used');

    const forged = new URL(first.callbackUrl);
    forged.searchParams.set('state', 'forged-state-value-that-we-never-issued-1234');
    const forgedRes = await fetch(forged);
    expect(forgedRes.status).toBe(400);
    expect(await forgedRes.text()).toContain('not one we issued');

    const start = await fetch(`${stack.url}/oauth/install?mode=test`, { redirect: 'manual' });
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    await stack.database
      .db('oauth_states')
      .update({ expires_at: Date.now() - 1 })
      .whereNull('used_at');
    const expired = await fetch(`${stack.url}/oauth/callback?code=ac_whatever&state=${state}`);
    expect(expired.status).toBe(400);
    expect(await expired.text()).toContain('expired');
    expect(await count()).toBe(before);
  });

  it('refuses a code used twice', async () => {
    const first = await install(stack, merchant.id);
    const code = new URL(first.callbackUrl).searchParams.get('code')!;
    const start = await fetch(`${stack.url}/oauth/install?mode=test`, { redirect: 'manual' });
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const again = await fetch(`${stack.url}/oauth/callback?code=${code}&state=${state}`);
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('already used or has expired');
  });

  it('shows a friendly page when the merchant denies, and stores nothing', async () => {
    const other = await createAccount(stack.emulator, { name: 'Says No' });
    const result = await install(stack, other.id, { decision: 'deny' });
    expect(result.status).toBe(200);
    expect(result.page).toContain('Installation cancelled');
    expect(await connections(`?q=${other.id}`)).toEqual([]);
    const replay = await fetch(result.callbackUrl.replace('error=access_denied', 'code=ac_x').replace(/&error_description=[^&]*/, ''));
    expect(replay.status).toBe(400);
  });

  it('accepts Marketplace installs without state, finding the mode by trying test then live', async () => {
    const shop = await createAccount(stack.emulator, { name: 'Market Shop' });
    for (const mode of ['test', 'live'] as const) {
      const { redirect_url } = await control<{ redirect_url: string }>(stack.emulator, 'POST', '/oauth/install', {
        account: shop.id,
        mode,
      });
      expect(new URL(redirect_url).searchParams.has('state')).toBe(false);
      const res = await fetch(redirect_url);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain(`is connected in ${mode} mode`);
    }
    await stack.services.jobs.idle();
    const both = await connections(`?q=${shop.id}`);
    expect(both.map((c) => [c.mode, c.install_source, c.merchant_id, c.state]).sort()).toEqual([
      ['live', 'marketplace', null, 'live'],
      ['test', 'marketplace', null, 'live'],
    ]);
  });

  it("refuses a code exchanged with the other mode's key", async () => {
    const shop = await createAccount(stack.emulator, { name: 'Wrong Mode' });
    const { redirect_url } = await control<{ redirect_url: string }>(stack.emulator, 'POST', '/oauth/install', {
      account: shop.id,
      mode: 'test',
    });
    const res = await fetch(`${redirect_url}&livemode=true`);
    expect(res.status).toBe(400);
    expect(await connections(`?q=${shop.id}`)).toEqual([]);
  });

  it('refuses an unknown mode and a mode that is not configured', async () => {
    expect((await fetch(`${stack.url}/oauth/install?mode=staging`)).status).toBe(400);
  });
});

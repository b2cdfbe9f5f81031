import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionDetail } from '../../shared/contracts/connection-status.js';
import { control, createAccount, oauthToken, platformKey } from '../support/emulator.js';
import { DIALECTS } from '../support/databases.js';
import { install, startStack, type Stack } from '../support/stack.js';

/**
 * `stripe-app.json` says `sandbox_install_compatible: true`: an install into a Stripe sandbox
 * connects to the app's managed sandbox, a third environment with its own platform key and
 * client id (STRIPE_SECRET_KEY_SANDBOX, STRIPE_APP_CLIENT_ID_SANDBOX). Its codes and refresh
 * tokens are exchanged with that key only; the data is test-mode data.
 */
describe.each(DIALECTS)('installs into a Stripe sandbox on %s', (dialect) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(dialect);
  });
  afterAll(() => stack.close());

  const detail = async (id: string) => (await (await stack.support(`/connections/${id}`)).json()) as ConnectionDetail;

  it("connects through the managed sandbox's client id, imports, refreshes with the sandbox key and shows the environment", async () => {
    const sandbox = await createAccount(stack.emulator, { name: 'Sandbox Bakery' });
    await control(stack.emulator, 'POST', '/generate', { account: sandbox.id, payments: 30, days: 10 });
    const { authorize, status, page } = await install(stack, sandbox.id, { mode: 'sandbox' });
    expect(authorize.searchParams.get('client_id')).toBe(
      (await control<{ app: { clientIds: { sandbox: string } } }>(stack.emulator, 'GET', '/')).app.clientIds.sandbox,
    );
    expect(status).toBe(200);
    expect(page).toContain('connected in a Stripe sandbox');
    await stack.services.jobs.idle();
    const row = await stack.database.db('connections').where({ account_id: sandbox.id }).first();
    expect(row).toMatchObject({ environment: 'sandbox' });
    const status1 = await detail(String(row.id));
    expect(status1).toMatchObject({ environment: 'sandbox', mode: 'test', auth: 'oauth', state: 'live' });
    expect(status1.import.done).toBe(true);
    expect(Number((await stack.database.db('charges').where({ account_id: sandbox.id }).count({ n: '*' }).first())!.n)).toBe(30);

    // The refresh goes with the sandbox's platform key: the test key is refused for its tokens.
    const refresh = (await stack.services.secrets.get(String(row.id), 'refresh_token'))!.value;
    expect(
      (await oauthToken(stack.emulator, await platformKey(stack.emulator, 'test'), { grant_type: 'refresh_token', refresh_token: refresh }))
        .status,
    ).toBe(400);
    await stack.services.tokens.refresh(String(row.id));
    expect((await detail(String(row.id))).state).toBe('live');

    // The support list says which environment.
    const list = (await (await stack.support('/connections')).json()) as { data: { id: string; environment: string }[] };
    expect(list.data.find((c) => c.id === row.id)?.environment).toBe('sandbox');
  });

  it('completes a Marketplace-started sandbox install (no state): the test key is refused, the sandbox key takes the code', async () => {
    const sandbox = await createAccount(stack.emulator, { name: 'Sandbox Florist' });
    const { redirect_url } = await control<{ redirect_url: string }>(stack.emulator, 'POST', '/oauth/install', {
      account: sandbox.id,
      mode: 'sandbox',
    });
    const callback = await fetch(redirect_url, { redirect: 'manual' });
    expect(callback.status).toBe(200);
    await stack.services.jobs.idle();
    const row = await stack.database.db('connections').where({ account_id: sandbox.id }).first();
    expect(row).toMatchObject({ environment: 'sandbox', install_source: 'marketplace' });
    expect((await detail(String(row.id))).state).toBe('live');
  });

  it('keeps test and live installs in their own environments', async () => {
    const merchant = await createAccount(stack.emulator, { name: 'Test Mode Shop' });
    await install(stack, merchant.id);
    await stack.services.jobs.idle();
    expect(await stack.database.db('connections').where({ account_id: merchant.id }).first()).toMatchObject({ environment: 'test' });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionDetail } from '../../shared/contracts/connection-status.js';
import { control, createAccount, type DemoAccount } from '../support/emulator.js';
import { DIALECTS } from '../support/databases.js';
import { install, startStack, type Stack } from '../support/stack.js';

const WEBHOOK_SECRET = 'whsec_appEndpointSecretForReinstall1';

/**
 * A merchant uninstalls and reinstalls, twice, while the uninstall events reach us late and out of
 * order, by webhook (delayed, reordered) and by poll (visible late). An uninstall older than the
 * install the connection has now must be recorded, not applied: the connection ends live.
 */
describe.each(DIALECTS)('reinstalling with late lifecycle events on %s', (dialect) => {
  let stack: Stack;
  let merchant: DemoAccount;
  let id: string;

  beforeAll(async () => {
    stack = await startStack(dialect, { STRIPE_WEBHOOK_SECRETS: WEBHOOK_SECRET });
    await control(stack.emulator, 'POST', '/webhook_endpoints', {
      url: `${stack.url}/webhooks/stripe`,
      mode: 'test',
      secret: WEBHOOK_SECRET,
      enabled_events: ['*'],
      faults: { delayMs: 1500, jitterMs: 1500 },
    });
    merchant = await createAccount(stack.emulator, { name: 'Back Again' });
    await install(stack, merchant.id);
    await stack.services.jobs.idle();
    id = String((await stack.database.db('connections').where({ account_id: merchant.id }).first()).id);
  });
  afterAll(() => stack.close());

  const detail = async () => (await (await stack.support(`/connections/${id}`)).json()) as ConnectionDetail;
  const deliverEverything = async () => {
    await new Promise((r) => setTimeout(r, 2_000)); // past the events' visibility delay and our lag
    await stack.services.events.poll(id);
    await stack.emulator.webhooks.idle();
    await stack.services.jobs.idle();
    await stack.services.events.poll(id);
    await stack.services.jobs.idle();
  };

  it('ends live with working tokens, and records the stale uninstalls without applying them', async () => {
    expect((await detail()).state).toBe('live');
    await control(stack.emulator, 'POST', '/settings', { eventVisibilityDelayMs: 1500 });
    // The first uninstall, two minutes back by Stripe's clock: older than the reinstall by any clock.
    await control(stack.emulator, 'POST', '/clock', { advance_seconds: -120 });
    await control(stack.emulator, 'POST', '/oauth/uninstall', { account: merchant.id, mode: 'test' });
    await control(stack.emulator, 'POST', '/clock', { advance_seconds: 120 });
    await install(stack, merchant.id);
    // The second, within the same seconds as the reinstall after it: timestamps cannot order them.
    await control(stack.emulator, 'POST', '/oauth/uninstall', { account: merchant.id, mode: 'test' });
    await install(stack, merchant.id);
    await deliverEverything();

    const db = stack.database.db;
    const deauths = await db('event_inbox').where({ account_id: merchant.id, type: 'account.application.deauthorized' }).select('status');
    expect(deauths.map((d: { status: string }) => d.status)).toEqual(['processed', 'processed']);
    const status = await detail();
    expect(status.state).toBe('live');
    const notes = status.history.map((h) => h.reason).filter((r) => r.includes('not applied'));
    expect(notes).toHaveLength(2);
    expect(notes.some((n) => /installed again at .*after it/.test(n))).toBe(true);
    expect(notes.some((n) => /Stripe still accepts that install's tokens/.test(n))).toBe(true);
    // The tokens work: a poll reads Stripe with them.
    expect(await db('connection_secrets').where({ connection_id: id }).pluck('kind')).toEqual(
      expect.arrayContaining(['access_token', 'refresh_token']),
    );
    await expect(stack.services.events.poll(id)).resolves.toMatchObject({ stored: expect.any(Number) });

    // A real uninstall after all of it still disconnects (the webhook says so; polls now fail, since
    // Stripe refuses the tokens).
    await control(stack.emulator, 'POST', '/oauth/uninstall', { account: merchant.id, mode: 'test' });
    await stack.emulator.webhooks.idle();
    await expect
      .poll(
        async () => {
          await stack.services.jobs.idle();
          return (await detail()).state;
        },
        { timeout: 15_000 },
      )
      .toBe('disconnected');
    const after = await detail();
    expect(after.state).toBe('disconnected');
    expect(after.state_reason).toContain('account.application.deauthorized');
  }, 90_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionDetail } from '../../shared/contracts/connection-status.js';
import { control, createAccount, oauthToken, platformKey } from '../support/emulator.js';
import { DIALECTS } from '../support/databases.js';
import { install, startStack, type Stack } from '../support/stack.js';
import { compareWithTruth, connectPaused, seededAccount } from '../backfill/support.js';

const WEBHOOK_SECRET = 'whsec_appEndpointSecretForTests123';

describe.each(DIALECTS)('live sync without webhooks on %s', (dialect) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(dialect, { STRIPE_WEBHOOK_SECRETS: WEBHOOK_SECRET });
  });
  afterAll(() => stack.close());

  const detail = async (id: string) => (await (await stack.support(`/connections/${id}`)).json()) as ConnectionDetail;
  const run = <T = { id: string }>(account: string, name: string, body: Record<string, unknown> = {}) =>
    control<T>(stack.emulator, 'POST', `/scenarios/${name}`, { account, ...body });
  const pollUntilQuiet = async (id: string) => {
    // Events show up late (visibility delay) and the poller stays a second behind: poll a few times.
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 700));
      await stack.services.events.poll(id);
      await stack.services.jobs.idle();
    }
  };

  it('brings refunds, a won dispute, a paid payout with its transactions, new payments and a fraud warning into the database', async () => {
    const account = await seededAccount(stack, 120, { payouts: false, refundRate: 0, disputeRate: 0, fraudWarningRate: 0, failureRate: 0 });
    const id = await connectPaused(stack, account.keys.test);
    expect((await detail(id)).state).toBe('live');
    await control(stack.emulator, 'POST', '/settings', { eventVisibilityDelayMs: 400 });
    try {
      const charges = (await stack.database.db('charges').where({ account_id: account.id }).orderBy('created').limit(3).select('id')).map(
        (r: { id: string }) => r.id,
      );
      const refund = await run(account.id, 'refund', { charge: charges[0], amount: 500 });
      const dispute = await run(account.id, 'dispute', { charge: charges[1] });
      await run(account.id, 'dispute_close', { dispute: dispute.id, won: true });
      const fresh = [];
      for (let i = 0; i < 3; i++)
        fresh.push(await run<{ charge: { id: string }; paymentIntent: { id: string } }>(account.id, 'payment', { amount: 7000 + i }));
      const efw = await run(account.id, 'early_fraud_warning', { charge: charges[2] });
      const payout = await run(account.id, 'payout');
      await run(account.id, 'payout_paid', { payout: payout.id });
      await pollUntilQuiet(id);

      const db = stack.database.db;
      const one = (table: string, objectId: string) => db(table).where({ account_id: account.id, id: objectId }).first();
      expect(await one('refunds', refund.id)).toMatchObject({ amount: 500, charge: charges[0] });
      expect(Number((await one('charges', charges[0]!)).amount_refunded)).toBe(500);
      expect(await one('disputes', dispute.id)).toMatchObject({ status: 'won' });
      for (const p of fresh) {
        expect(await one('charges', p.charge.id)).toMatchObject({ status: 'succeeded' });
        expect(await one('payment_intents', p.paymentIntent.id)).toMatchObject({ status: 'succeeded' });
      }
      expect(await one('early_fraud_warnings', efw.id)).toMatchObject({ charge: charges[2] });
      expect(await one('payouts', payout.id)).toMatchObject({ status: 'paid' });
      const truth = await control<Record<string, { id: string; type: string }[]>>(
        stack.emulator,
        'GET',
        `/truth?account=${account.id}&mode=test`,
      );
      const settledIds = (await db('balance_transactions').where({ account_id: account.id, payout: payout.id }).select('id')).map(
        (r: { id: string }) => r.id,
      );
      expect(settledIds.length).toBeGreaterThan(50);
      const payoutTxn = truth.balance_transaction!.find((t) => t.type === 'payout')!;
      expect(settledIds).toContain(payoutTxn.id);
      // Balance transactions have no events: the new payments', the refund's and the dispute's are
      // fetched when their objects first point to them, not only once a payout settles them.
      const compared = await compareWithTruth(stack, account.id);
      expect(compared.balance_transactions!.missing).toEqual([]);
      expect(compared.balance_transactions!.stale).toEqual([]);

      const status = await detail(id);
      expect(status.events.by_source.poll).toBeGreaterThan(10);
      expect(status.events.backlog).toBe(0);
      expect(status.events.lag_seconds).toBeLessThan(30);
      expect(status.events.last_polled_at).not.toBeNull();
    } finally {
      await control(stack.emulator, 'POST', '/settings', { eventVisibilityDelayMs: 0 });
    }
  });

  it("applies a busy merchant's backlog several objects at a time, missing nothing and leaving nothing stale", async () => {
    const account = await seededAccount(stack, 10, { payouts: false });
    const id = await connectPaused(stack, account.keys.test);
    // Each Stripe request takes a while, as Stripe's do: one event at a time would keep one in flight.
    await control(stack.emulator, 'POST', '/settings', { latencyMs: 60 });
    try {
      for (let i = 0; i < 40; i++) {
        const made = await run<{ charge: { id: string } }>(account.id, 'payment', { amount: 1000 + i });
        if (i % 5 === 4) await run(account.id, 'refund', { charge: made.charge.id, amount: 300 });
      }
      await pollUntilQuiet(id);
      const traffic = await control<{ max_in_flight: Record<string, number> }>(stack.emulator, 'GET', `/traffic?account=${account.id}`);
      expect(traffic.max_in_flight['GET /v1/balance_transactions']).toBeGreaterThan(1);
      const compared = await compareWithTruth(stack, account.id);
      for (const [table, r] of Object.entries(compared)) {
        expect(r.missing, `${table} missing`).toEqual([]);
        expect(r.stale, `${table} stale`).toEqual([]);
        expect(r.duplicates, `${table} duplicates`).toBe(0);
      }
      expect((await detail(id)).events.backlog).toBe(0);
    } finally {
      await control(stack.emulator, 'POST', '/settings', { latencyMs: 0 });
    }
  });

  it("re-imports the gap when the watermark is older than Stripe's 30-day retention", async () => {
    const account = await seededAccount(stack, 40);
    const id = await connectPaused(stack, account.keys.test);
    await stack.services.events.poll(id);
    const old = Math.floor(Date.now() / 1000) - 31 * 86400;
    await stack.database.db('event_watermarks').where({ connection_id: id }).update({ watermark: old });
    const result = await stack.services.events.poll(id);
    expect(result.gapFrom).toBe(old - 300);
    const during = await detail(id);
    expect(during.history.some((h) => h.to === 'backfilling' && h.reason.includes("past Stripe's 30-day retention"))).toBe(true);
    await stack.services.jobs.idle();
    const ranged = await stack.database.db('backfill_runs').where({ connection_id: id, created_gte: old - 300 });
    expect(ranged).toHaveLength(7);
    expect((await detail(id)).state).toBe('live');
  });

  it('says so when Stripe refuses the credentials, instead of failing silently', async () => {
    const account = await seededAccount(stack, 20);
    const id = await connectPaused(stack, account.keys.test);
    await control(stack.emulator, 'POST', '/keys/revoke', { key: account.keys.test });
    await expect(stack.services.events.poll(id)).rejects.toMatchObject({ code: 'reauthorization_required' });
    const keyed = await detail(id);
    expect(keyed).toMatchObject({ state: 'reauthorization_required', connected: false });
    expect(keyed.state_reason).toContain('refused the API key');
    expect(keyed.what_to_do).toContain('Use "Replace API key" with a new (restricted) key');

    // A refresh token lost some other way (rotated by another copy of the backend): Stripe refuses
    // it with invalid_grant, but the access token still works, so this is not an uninstall.
    const rotated = await createAccount(stack.emulator, { name: 'Rotated Elsewhere' });
    await install(stack, rotated.id);
    await stack.services.jobs.idle();
    const rotatedId = String((await stack.database.db('connections').where({ account_id: rotated.id }).first()).id);
    const refresh = (await stack.services.secrets.get(rotatedId, 'refresh_token'))!.value;
    const platform = await platformKey(stack.emulator, 'test');
    expect((await oauthToken(stack.emulator, platform, { grant_type: 'refresh_token', refresh_token: refresh })).status).toBe(200);
    await expect(stack.services.tokens.refresh(rotatedId)).rejects.toMatchObject({ code: 'reauthorization_required' });
    const kept = await detail(rotatedId);
    expect(kept).toMatchObject({ state: 'reauthorization_required', reauthorize_url: `${stack.url}/oauth/install?mode=test` });
    expect(kept.state_reason).toContain('invalid_grant');
    expect(await stack.database.db('connection_secrets').where({ connection_id: rotatedId })).not.toEqual([]);
  });

  it('disconnects a polled connection whose app was uninstalled, with no webhook: both tokens refused, tokens deleted', async () => {
    // account.application.deauthorized goes to the app's endpoint only, and this deployment has
    // none: the poller's 401 leads to a refresh (invalid_grant) and a check of the access token.
    const merchant = await createAccount(stack.emulator, { name: 'Quiet Leaver' });
    await install(stack, merchant.id);
    await stack.services.jobs.idle();
    const oauthId = String((await stack.database.db('connections').where({ account_id: merchant.id }).first()).id);
    // A refusal of a refresh token the connection no longer holds (a reinstall replaced it) undoes nothing.
    const stored = (await stack.services.secrets.get(oauthId, 'refresh_token'))!;
    expect(await stack.services.connections.disconnectUninstalled(oauthId, 'stale', stored.version + 1)).toBe(false);
    expect((await detail(oauthId)).state).toBe('live');
    expect(await stack.services.secrets.get(oauthId, 'refresh_token')).toMatchObject({ value: stored.value });
    await control(stack.emulator, 'POST', '/oauth/uninstall', { account: merchant.id, mode: 'test' });
    await expect(stack.services.events.poll(oauthId)).rejects.toMatchObject({ code: 'disconnected' });
    const oauth = await detail(oauthId);
    expect(oauth).toMatchObject({ state: 'disconnected', connected: false });
    expect(oauth.state_reason).toContain('uninstalled the app');
    expect(await stack.database.db('connection_secrets').where({ connection_id: oauthId })).toEqual([]);
    expect(await stack.services.events.poll(oauthId)).toEqual({ stored: 0 });
  });

  it('disconnects and stops work when the merchant uninstalls the app', async () => {
    await control(stack.emulator, 'POST', '/webhook_endpoints', {
      url: `${stack.url}/webhooks/stripe`,
      mode: 'test',
      secret: WEBHOOK_SECRET,
      enabled_events: ['*'],
    });
    const merchant = await createAccount(stack.emulator, { name: 'Leaving Soon' });
    await install(stack, merchant.id);
    await stack.services.jobs.idle();
    const id = String((await stack.database.db('connections').where({ account_id: merchant.id }).first()).id);
    expect((await detail(id)).state).toBe('live');
    await control(stack.emulator, 'POST', '/oauth/uninstall', { account: merchant.id, mode: 'test' });
    await stack.emulator.webhooks.idle();
    // Delivery, storage and processing are asynchronous steps; under a loaded CI machine the
    // processing job can start after the first idle() returned, so wait for the outcome itself.
    await expect
      .poll(
        async () => {
          await stack.services.jobs.idle();
          return (await detail(id)).state;
        },
        { timeout: 15_000 },
      )
      .toBe('disconnected');
    const status = await detail(id);
    expect(status.state_reason).toContain('account.application.deauthorized');
    expect(await stack.database.db('connection_secrets').where({ connection_id: id })).toEqual([]);
    expect(status.events.by_source.app_webhook).toBeGreaterThanOrEqual(1);
    expect(await stack.services.events.poll(id)).toEqual({ stored: 0 });
  });
});

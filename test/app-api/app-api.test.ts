import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeInsights } from '../../server/status/insights.js';
import { appApiRoutes } from '../../server/http/routes/app-api.js';
import type { Insights } from '../../shared/contracts/app-api.js';
import { DIALECTS } from '../support/databases.js';
import { routeTable } from '../support/routes.js';
import { control, createAccount } from '../support/emulator.js';
import { startStack, type Stack } from '../support/stack.js';
import { connectPaused, seededAccount } from '../backfill/support.js';
import { callApp, type AppSigner } from '../support/app-signing.js';

const SECRETS = ['absec_currentSecret123', 'absec_previousSecret456'];

describe.each(DIALECTS)('/api/app on %s', (dialect) => {
  let stack: Stack;
  let alpha: { account: string; connection: string };
  let beta: { account: string; connection: string };

  beforeAll(async () => {
    stack = await startStack(dialect, { STRIPE_APP_SIGNING_SECRETS: SECRETS.join(',') });
    const a = await seededAccount(stack, 300, { days: 60 });
    const b = await seededAccount(stack, 40);
    alpha = { account: a.id, connection: await connectPaused(stack, a.keys.test) };
    beta = { account: b.id, connection: await connectPaused(stack, b.keys.test) };
  });
  afterAll(() => stack.close());

  const identity = (account: string) => ({ user_id: 'usr_1Merchant', account_id: account, mode: 'test' });
  const sign = (id: ReturnType<typeof identity>, secret = SECRETS[0]!, timestamp?: number): AppSigner => ({ id, secret, timestamp });
  const call = (
    method: string,
    path: string,
    id: ReturnType<typeof identity>,
    signer: AppSigner | string | null,
    body: Record<string, unknown> = {},
  ) => callApp(stack.url, method, path, id, signer, body);

  it('refuses missing, expired, forged and other-account signatures on every route', async () => {
    const table = routeTable(
      appApiRoutes({
        config: stack.config,
        connections: stack.services.connections,
        status: stack.services.status,
        signatureUses: stack.services.signatureUses,
      }),
    );
    expect(table.length).toBe(5);
    const me = identity(alpha.account);
    for (const { method, path } of table) {
      const p = path.replace(':action', 'pause');
      const attempts: [string, ReturnType<typeof identity>, AppSigner | string | null][] = [
        ['missing', me, null],
        ['expired', me, sign(me, SECRETS[0], Math.floor(Date.now() / 1000) - 600)],
        ['forged', me, `t=${Math.floor(Date.now() / 1000)},v1=${'00'.repeat(32)}`],
        ['signed for alpha, asking for beta', identity(beta.account), sign(me)],
        ['unknown secret', me, sign(me, 'absec_notOurs')],
      ];
      for (const [label, id, header] of attempts) {
        const res = await call(method, p, id, header);
        expect(res.status, `${method} ${p}: ${label}`).toBe(401);
      }
    }
    expect((await stack.database.db('connections').where({ id: alpha.connection }).first()).state).toBe('live');
  });

  it('accepts both secrets during rotation and answers preflight for the null origin', async () => {
    const me = identity(alpha.account);
    for (const secret of SECRETS) {
      const res = await call('GET', '/status', me, sign(me, secret));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ account_id: alpha.account, state: 'live', connected: true });
    }
    const preflight = await fetch(`${stack.url}/api/app/status`, {
      method: 'OPTIONS',
      headers: { Origin: 'null', 'Access-Control-Request-Headers': 'stripe-signature' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Stripe-Signature');
  });

  it('keeps each account to its own connection, and tells an unconnected one how to connect', async () => {
    const a = identity(alpha.account);
    const b = identity(beta.account);
    expect((await call('GET', '/status', b, sign(b))).body.account_id).toBe(beta.account);
    const put = await call('PUT', '/settings', a, sign(a), {
      reporting_timezone: 'Europe/Berlin',
      history_since: '2025-01-01',
      report_families: ['payouts.itemized'],
    });
    expect(put.status).toBe(200);
    expect((await call('GET', '/settings', b, sign(b))).body).toMatchObject({ reporting_timezone: 'UTC', history_since: null });
    expect((await call('GET', '/settings', a, sign(a))).body).toMatchObject({
      reporting_timezone: 'Europe/Berlin',
      report_families: ['payouts.itemized'],
    });
    const paused = await call('POST', '/actions/pause', b, sign(b));
    expect(paused.body.state).toBe('paused');
    expect((await stack.database.db('connections').where({ id: alpha.connection }).first()).state).toBe('live');
    expect((await call('POST', '/actions/resume', b, sign(b))).body.state).toBe('backfilling');
    await stack.services.jobs.idle();

    const stranger = identity('acct_1NeverConnected');
    const status = await call('GET', '/status', stranger, sign(stranger));
    expect(status.body).toEqual({ connected: false, install_url: `${stack.url}/oauth/install?mode=test` });
    expect((await call('GET', '/insights', stranger, sign(stranger))).body).toMatchObject({
      error: { code: 'not_connected', details: { install_url: `${stack.url}/oauth/install?mode=test` } },
    });
  });

  it('links a Marketplace install on its first signed request, and uses the settings', async () => {
    const shop = await createAccount(stack.emulator, { name: 'Market Linked' });
    // Connected today, with some history for the report to cover.
    await control(stack.emulator, 'POST', '/generate', { account: shop.id, payments: 20, days: 30 });
    const { redirect_url } = await control<{ redirect_url: string }>(stack.emulator, 'POST', '/oauth/install', {
      account: shop.id,
      mode: 'test',
    });
    expect((await fetch(redirect_url)).status).toBe(200);
    await stack.services.jobs.idle();
    const before = await stack.database.db('connections').where({ account_id: shop.id }).first();
    expect(before.merchant_id).toBeNull();
    const me = identity(shop.id);
    expect((await call('GET', '/status', me, sign(me))).body.state).toBe('live');
    expect((await stack.database.db('connections').where({ account_id: shop.id }).first()).merchant_id).toBe(shop.id);

    await call('PUT', '/settings', me, sign(me), { reporting_timezone: 'UTC', history_since: null, report_families: ['payouts.itemized'] });
    const created = await stack.services.reports.schedule(before.id, { force: true });
    const families = await stack.database.db('report_runs').whereIn('id', created).pluck('family');
    expect(families).toEqual(['payouts.itemized']);
  });

  it('validates settings with clear messages', async () => {
    const a = identity(alpha.account);
    const bad = async (body: Record<string, unknown>) =>
      (await call('PUT', '/settings', a, sign(a), body)).body as { error: { message: string } };
    expect(
      (await bad({ reporting_timezone: 'Mars/Olympus', history_since: null, report_families: ['payouts.itemized'] })).error.message,
    ).toContain('must be a time zone');
    expect(
      (await bad({ reporting_timezone: 'UTC', history_since: '31/01/2025', report_families: ['payouts.itemized'] })).error.message,
    ).toContain('history_since');
    expect((await bad({ reporting_timezone: 'UTC', history_since: null, report_families: [] })).error.message).toContain(
      'choose at least one report',
    );
    expect((await call('POST', '/actions/explode', a, sign(a))).status).toBe(400);
  });

  it('computes insights that match hand-computed figures on the seeded data', async () => {
    const a = identity(alpha.account);
    const res = await call('GET', '/insights?days=30', a, sign(a));
    expect(res.status).toBe(200);
    const insights = res.body as unknown as Insights;
    const db = stack.database.db;
    const from = Math.floor(Date.now() / 1000) - 30 * 86400;
    const charges = await db('charges').where({ account_id: alpha.account }).where('created', '>=', from);
    const succeeded = charges.filter((c: { status: string }) => c.status === 'succeeded').length;
    const failed = charges.filter((c: { status: string }) => c.status === 'failed');
    expect(insights.payments.attempted).toBe(succeeded + failed.length);
    expect(insights.payments.success_rate).toBeCloseTo(succeeded / (succeeded + failed.length), 4);
    expect(insights.payments.top_decline_codes).toEqual(failed.length ? [{ code: 'card_declined', count: failed.length }] : []);
    const refunds = (await db('refunds').where({ account_id: alpha.account }).where('created', '>=', from)).length;
    expect(insights.refunds).toEqual({ count: refunds, rate: succeeded ? Number((refunds / succeeded).toFixed(4)) : null });
    const txns = await db('balance_transactions').where({ account_id: alpha.account, type: 'charge' }).where('created', '>=', from);
    const volume = txns.reduce((s: number, t: { amount: number | string }) => s + Number(t.amount), 0);
    const fees = txns.reduce((s: number, t: { fee: number | string }) => s + Number(t.fee), 0);
    expect(insights.fees).toEqual([{ currency: 'usd', volume, fees, share: Number((fees / volume).toFixed(4)) }]);
    expect(insights.period.days).toBe(30);
    expect(insights.freshness.last_synced_at).not.toBeNull();
    expect(await computeInsights(db, alpha.account, false, 30)).toMatchObject({ payments: insights.payments });
  });

  it('shows every currency apart, and daily trends that add up to the period', async () => {
    // A Japanese merchant who also sells in dollars: yen have no decimals, and the two are never summed.
    const shop = await createAccount(stack.emulator, { name: 'Two Currencies', currency: 'jpy' });
    await control(stack.emulator, 'POST', '/generate', { account: shop.id, payments: 60, days: 20 });
    await control(stack.emulator, 'POST', '/generate', { account: shop.id, payments: 30, days: 20, currency: 'usd' });
    await connectPaused(stack, shop.keys.test);
    const me = identity(shop.id);
    const insights = (await call('GET', '/insights?days=30', me, sign(me))).body as unknown as Insights;

    const db = stack.database.db;
    const from = Date.parse(insights.period.from) / 1000;
    const txns = await db('balance_transactions').where({ account_id: shop.id, type: 'charge' }).where('created', '>=', from);
    const byCurrency = (currency: string) => {
      const mine = txns.filter((t: { currency: string }) => t.currency === currency);
      const volume = mine.reduce((s: number, t: { amount: number | string }) => s + Number(t.amount), 0);
      const fees = mine.reduce((s: number, t: { fee: number | string }) => s + Number(t.fee), 0);
      return { currency, volume, fees, share: Number((fees / volume).toFixed(4)) };
    };
    const expected = [byCurrency('jpy'), byCurrency('usd')].sort((a, b) => b.volume - a.volume);
    expect(insights.fees).toEqual(expected);

    const charges = await db('charges').where({ account_id: shop.id }).where('created', '>=', from);
    const succeeded = charges.filter((c: { status: string }) => c.status === 'succeeded');
    expect(insights.daily).toHaveLength(31);
    expect(insights.daily.map((d) => d.date)).toEqual([...insights.daily.map((d) => d.date)].sort());
    expect(insights.daily.reduce((s, d) => s + d.attempted, 0)).toBe(insights.payments.attempted);
    expect(insights.daily.reduce((s, d) => s + d.succeeded, 0)).toBe(succeeded.length);
    expect(insights.daily.reduce((s, d) => s + d.disputes, 0)).toBe(insights.disputes.count);
    for (const currency of ['jpy', 'usd']) {
      const total = succeeded
        .filter((c: { currency: string }) => c.currency === currency)
        .reduce((s: number, c: { amount: number | string }) => s + Number(c.amount), 0);
      const charted = insights.daily_volume.filter((v) => v.currency === currency).reduce((s, v) => s + v.amount, 0);
      expect(charted).toBe(total);
      expect(total).toBeGreaterThan(0);
    }
    // Payouts are per currency too.
    const payouts = await db('payouts').where({ account_id: shop.id });
    expect(new Set(payouts.map((p: { currency: string }) => p.currency))).toEqual(new Set(['jpy', 'usd']));
  });
});

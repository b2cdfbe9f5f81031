import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection, updateConnection } from '../../server/connections/connection-repository.js';
import { insertRun, updateRun } from '../../server/reports/report-repository.js';
import type { ConnectionDetail, SupportOverview } from '../../shared/contracts/connection-status.js';
import { callApp, type AppSigner } from '../support/app-signing.js';
import { createServices } from '../../server/services.js';
import { testConfig } from '../support/config.js';
import { createTestDatabase, DIALECTS, POSTGRES_ADMIN_URL } from '../support/databases.js';
import { freePort } from '../support/http.js';
import { capturedLogger } from '../support/log-capture.js';
import { seedConnections } from '../support/seed-connections.js';
import { control, createAccount, overview, stripeAt, type DemoAccount } from '../support/emulator.js';
import { install, startStack, SUPPORT_TOKEN, type Stack } from '../support/stack.js';
import { seededAccount } from '../backfill/support.js';

/**
 * Issue 19's red-team findings, one case each, on both databases: validly signed or authenticated
 * input that is malformed or hostile must be refused with a 4xx, or contained, and never stop,
 * leak or rewrite anything else.
 */
const APP_WEBHOOK_SECRET = 'whsec_hostileAppEndpointSecret000';
const APP_SIGNING_SECRET = 'absec_hostileInputSigningSecret1';
const B_SECRET = 'whsec_merchantBravoSigningSecret00';
const C_SECRET = 'whsec_merchantCharlieSigningSecret0';
const sdk = new Stripe('sk_test_signing_only');
const now = () => Math.floor(Date.now() / 1000);

describe.each(DIALECTS)('hostile and malformed input on %s', (dialect) => {
  let stack: Stack;
  let alpha: { account: DemoAccount; id: string };
  let bravo: { account: DemoAccount; id: string };

  const db = () => stack.database.db;
  const signed = (payload: string | Buffer, secret: string, timestamp?: number) =>
    sdk.webhooks.generateTestHeaderString({ payload: payload.toString(), secret, ...(timestamp ? { timestamp } : {}) });
  const post = (path: string, body: string | Buffer, header?: string) =>
    fetch(`${stack.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(header ? { 'Stripe-Signature': header } : {}) },
      body,
    });
  const event = (type: string, object: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    id: `evt_hostile${Math.random().toString(36).slice(2, 12)}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: now(),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
    ...extra,
  });
  const inbox = (account: string) => db()('event_inbox').where({ account_id: account });
  const connectWithKey = async (account: DemoAccount, body: Record<string, unknown>) => {
    const res = await stack.support('/connections', {
      method: 'POST',
      body: JSON.stringify({ name: `Hostile ${account.id}`, api_key: account.keys.test, ...body }),
    });
    return { status: res.status, body: (await res.json()) as { connection: { id: string }; error?: { message: string } } };
  };
  const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

  beforeAll(async () => {
    stack = await startStack(
      dialect,
      { STRIPE_WEBHOOK_SECRETS: APP_WEBHOOK_SECRET, STRIPE_APP_SIGNING_SECRETS: APP_SIGNING_SECRET },
      {},
      {
        failureLimit: { max: 5, windowMs: 60_000 },
      },
    );
    const a = await seededAccount(stack, 20);
    const b = await seededAccount(stack, 20);
    alpha = { account: a, id: (await connectWithKey(a, {})).body.connection.id };
    bravo = { account: b, id: (await connectWithKey(b, { merchant_id: 'bravo-shop', webhook_secret: B_SECRET })).body.connection.id };
    await stack.services.jobs.idle();
  }, 60_000);
  afterAll(() => stack.close());

  it('1. a poison event stops nothing: refused at the door, and the 20 genuine events after it are all applied', async () => {
    // The poison: validly signed, no `data`.
    const poison = JSON.stringify(event('charge.succeeded', {}, { data: undefined }));
    const refused = await post('/webhooks/stripe/bravo-shop', poison, signed(poison, B_SECRET));
    expect(refused.status).toBe(400);
    expect(await errorCode(refused)).toBe('invalid_event');
    for (const body of ['null', 'not json at all', '[1,2]', JSON.stringify(event('charge.succeeded', { object: 'charge' }))]) {
      const res = await post('/webhooks/stripe/bravo-shop', body, signed(body, B_SECRET));
      expect(res.status, body).toBe(400);
    }
    // Rows stored before the door checked (or damaged since) are set aside, not fatal: no data, a
    // byte order mark, not JSON.
    const stale = [
      JSON.stringify(event('charge.succeeded', {}, { data: undefined })),
      `\ufeff${JSON.stringify(event('charge.updated', { id: 'ch_x' }))}`,
      '{"id":',
    ];
    if (dialect === 'sqlite') {
      await db()('event_inbox').insert(
        stale.map((payload, i) => ({
          account_id: bravo.account.id,
          event_id: `evt_stale${i}`,
          type: 'charge.succeeded',
          livemode: false,
          created: now() - 60,
          source: 'merchant_webhook',
          payload,
          received_at: Date.now(),
        })),
      );
    } else {
      // jsonb holds only JSON: the row without data is what PostgreSQL could have stored.
      await db()('event_inbox').insert({
        account_id: bravo.account.id,
        event_id: 'evt_stale0',
        type: 'charge.succeeded',
        livemode: false,
        created: now() - 60,
        source: 'merchant_webhook',
        payload: stale[0],
        received_at: Date.now(),
      });
    }
    // Then Stripe delivers 20 genuine payments' events to the merchant's endpoint.
    await control(stack.emulator, 'POST', '/webhook_endpoints', {
      url: `${stack.url}/webhooks/stripe/bravo-shop`,
      account: bravo.account.id,
      mode: 'test',
      secret: B_SECRET,
    });
    const payments: { charge: { id: string } }[] = [];
    for (let i = 0; i < 20; i++)
      payments.push(await control(stack.emulator, 'POST', '/scenarios/payment', { account: bravo.account.id, amount: 1000 + i }));
    await until(
      async () =>
        (
          await db()('charges')
            .where({ account_id: bravo.account.id })
            .whereIn(
              'id',
              payments.map((p) => p.charge.id),
            )
        ).length === 20,
    );
    await stack.services.jobs.idle();
    expect(await inbox(bravo.account.id).where({ status: 'pending' })).toEqual([]);
    const failed = await inbox(bravo.account.id).where({ status: 'failed' }).select('event_id', 'last_error');
    expect(failed.map((r: { event_id: string }) => r.event_id).sort()).toEqual(
      dialect === 'sqlite' ? ['evt_stale0', 'evt_stale1', 'evt_stale2'] : ['evt_stale0'],
    );
    expect(failed.every((r: { last_error: string }) => r.last_error.startsWith('not a Stripe event'))).toBe(true);
    // And the overview says so.
    const overview = (await (await stack.support('/overview')).json()) as SupportOverview;
    expect(overview.attention.find((c) => c.id === bravo.id)?.reasons.join(' ')).toMatch(/event\(s\) failed to apply/);
  }, 60_000);

  it('1. a signed event with a byte order mark is stored as Stripe signed it (without the mark) and applied', async () => {
    const payment = await control<{ charge: { id: string } }>(stack.emulator, 'POST', '/scenarios/payment', {
      account: alpha.account.id,
      amount: 4242,
    });
    const listed = await stripeAt(stack.emulator, alpha.account.keys.test).events.list({ type: 'charge.succeeded', limit: 5 });
    const genuine = listed.data.find((e) => (e.data.object as { id: string }).id === payment.charge.id)!;
    const text = JSON.stringify({ ...genuine, account: alpha.account.id });
    const res = await post(
      '/webhooks/stripe',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
      signed(text, APP_WEBHOOK_SECRET),
    );
    expect(res.status).toBe(200);
    await stack.services.jobs.idle();
    const row = await inbox(alpha.account.id).where({ event_id: genuine.id }).first();
    expect(row.status).toBe('processed');
    expect(typeof row.payload === 'string' ? row.payload.charCodeAt(0) : 0).not.toBe(0xfeff);
    expect(await db()('charges').where({ account_id: alpha.account.id, id: payment.charge.id }).first()).toBeTruthy();
  });

  it('1. a polled event that is not one is dead-lettered and counted; the poll and the events after it go on', async () => {
    await control(stack.emulator, 'POST', '/events', {
      account: alpha.account.id,
      mode: 'test',
      type: 'charge.succeeded',
      object: { object: 'charge', amount: 1 },
    });
    const payments: { charge: { id: string } }[] = [];
    for (let i = 0; i < 20; i++)
      payments.push(await control(stack.emulator, 'POST', '/scenarios/payment', { account: alpha.account.id, amount: 2000 + i }));
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 1100));
      await stack.services.events.poll(alpha.id);
      await stack.services.jobs.idle();
    }
    expect(
      await db()('charges')
        .where({ account_id: alpha.account.id })
        .whereIn(
          'id',
          payments.map((p) => p.charge.id),
        ),
    ).toHaveLength(20);
    expect(await inbox(alpha.account.id).where({ status: 'pending' })).toEqual([]);
    const dead = await inbox(alpha.account.id).where({ status: 'failed' }).select('last_error');
    expect(dead).toHaveLength(1);
    expect(dead[0].last_error).toContain('data.object.id');
    expect((await getConnection(db(), alpha.id))!.state).toBe('live');
  }, 60_000);

  it('1. the overview flags an account whose events stay pending', async () => {
    await db()('event_inbox').insert({
      account_id: alpha.account.id,
      event_id: 'evt_heldBack',
      type: 'charge.updated',
      livemode: false,
      created: now() - 900,
      source: 'poll',
      payload: JSON.stringify(event('charge.updated', { id: 'ch_heldBack', object: 'charge' })),
      received_at: Date.now() - 10 * 60_000,
    });
    const overview = (await (await stack.support('/overview')).json()) as SupportOverview;
    expect(overview.attention.find((c) => c.id === alpha.id)?.reasons).toContainEqual(
      expect.stringMatching(/1 event\(s\) pending for 10 min/),
    );
    await db()('event_inbox').where({ event_id: 'evt_heldBack' }).delete();
  });

  it('2. settings are validated as values, and an import that cannot start says why', async () => {
    const me = { user_id: 'usr_1Hostile', account_id: bravo.account.id, mode: 'test' };
    const signer: AppSigner = { id: me, secret: APP_SIGNING_SECRET };
    const put = (body: Record<string, unknown>) =>
      callApp(stack.url, 'PUT', '/settings', me, signer, { reporting_timezone: 'UTC', report_families: ['payouts.itemized'], ...body });
    for (const history_since of [
      '2025-13-45',
      '2025-02-30',
      '0000-00-00',
      new Date(Date.now() + 3 * 86400_000).toISOString().slice(0, 10),
    ]) {
      const res = await put({ history_since });
      expect(res.status, history_since).toBe(400);
      expect(JSON.stringify(res.body), history_since).toContain('history_since');
    }
    expect((await put({ history_since: null, reporting_timezone: 'Mars/Olympus' })).status).toBe(400);
    expect((await put({ history_since: '2024-02-29', reporting_timezone: 'Europe/Berlin' })).status).toBe(200);
    // A value stored before these checks (or by hand) stops the import with the reason.
    await db()('connections')
      .where({ id: bravo.id })
      .update({ settings: JSON.stringify({ history_since: '2025-13-45' }) });
    await stack.services.imports.run(bravo.id);
    const detail = (await (await stack.support(`/connections/${bravo.id}`)).json()) as ConnectionDetail;
    expect(detail.state).toBe('degraded');
    expect(detail.state_reason).toContain('history_since setting "2025-13-45" is not a calendar date');
    await db()('connections')
      .where({ id: bravo.id })
      .update({ settings: JSON.stringify({ history_since: null }) });
    await stack.services.imports.run(bravo.id);
    await stack.services.jobs.idle();
    expect((await getConnection(db(), bravo.id))!.state).toBe('live');
  }, 60_000);

  it('3. a report-run event is looked up within its own connection, and what it says is fetched from Stripe', async () => {
    const victim = await insertRun(db(), {
      connectionId: alpha.id,
      accountId: alpha.account.id,
      family: 'payouts.itemized',
      reportType: 'payouts.itemized.3',
      intervalStart: now() - 86400,
      intervalEnd: now() - 3600,
      timezone: 'UTC',
    });
    await updateRun(db(), victim, { stripe_run_id: 'frr_victimRun0000000000', next_check_at: Date.now() + 3600_000 });
    const own = await insertRun(db(), {
      connectionId: bravo.id,
      accountId: bravo.account.id,
      family: 'payouts.itemized',
      reportType: 'payouts.itemized.3',
      intervalStart: now() - 86400,
      intervalEnd: now() - 3600,
      timezone: 'UTC',
    });
    await updateRun(db(), own, { stripe_run_id: 'frr_bravoRunUnknownToStripe', next_check_at: Date.now() + 3600_000 });
    const before = await db()('report_runs').whereIn('id', [victim, own]).orderBy('id');
    for (const runId of ['frr_victimRun0000000000', 'frr_bravoRunUnknownToStripe']) {
      const forged = JSON.stringify(
        event('reporting.report_run.succeeded', {
          id: runId,
          object: 'reporting.report_run',
          status: 'succeeded',
          result: { id: 'file_chosenByBravo', object: 'file' },
        }),
      );
      expect((await post('/webhooks/stripe/bravo-shop', forged, signed(forged, B_SECRET))).status).toBe(200);
    }
    await stack.services.jobs.idle();
    // Neither run moved, and nobody asked Stripe for the file Bravo named.
    expect(await db()('report_runs').whereIn('id', [victim, own]).orderBy('id')).toEqual(before);
    expect(stack.exchanges.filter((x) => x.path.includes('file_chosenByBravo'))).toEqual([]);
    // Bravo's own run was asked of Stripe, with Bravo's credentials; Alpha's was not asked at all.
    expect(stack.exchanges.filter((x) => x.path.includes('frr_bravoRunUnknownToStripe')).length).toBeGreaterThan(0);
    expect(stack.exchanges.filter((x) => x.path.includes('frr_victimRun'))).toEqual([]);
    await db()('report_runs').whereIn('id', [victim, own]).delete();
  });

  it('4. uninstalls count only from the app endpoint, and only naming our application', async () => {
    // On a merchant endpoint, signed with the merchant's own secret: recorded, not applied.
    const forged = JSON.stringify(event('account.application.deauthorized', { id: 'ca_anyone', object: 'application' }));
    expect((await post('/webhooks/stripe/bravo-shop', forged, signed(forged, B_SECRET))).status).toBe(200);
    await stack.services.jobs.idle();
    expect((await getConnection(db(), bravo.id))!.state).toBe('live');
    expect(await stack.services.secrets.get(bravo.id, 'api_key')).not.toBeNull();
    // On the app endpoint, for an installed account, naming another application.
    const shop = await createAccount(stack.emulator, { name: 'Installed Shop' });
    expect((await install(stack, shop.id)).status).toBe(200);
    await stack.services.jobs.idle();
    const installed = (await db()('connections').where({ account_id: shop.id }).first()).id as string;
    const other = JSON.stringify({
      ...event('account.application.deauthorized', { id: 'ca_someOtherApplication', object: 'application' }),
      account: shop.id,
      created: now() + 10,
    });
    expect((await post('/webhooks/stripe', other, signed(other, APP_WEBHOOK_SECRET))).status).toBe(200);
    // Naming our application, but Stripe still accepts the tokens: not an uninstall.
    const ours = JSON.stringify({
      ...event('account.application.deauthorized', { id: (await overview(stack.emulator)).app.clientIds.test, object: 'application' }),
      account: shop.id,
      created: now() + 10,
    });
    expect((await post('/webhooks/stripe', ours, signed(ours, APP_WEBHOOK_SECRET))).status).toBe(200);
    await stack.services.jobs.idle();
    expect((await getConnection(db(), installed))!.state).not.toBe('disconnected');
    expect(await stack.services.secrets.get(installed, 'refresh_token')).not.toBeNull();
    const notes = await db()('connection_state_changes').whereIn('connection_id', [bravo.id, installed]).pluck('reason');
    expect(notes.join('\n')).toContain('uninstalls count only from the app endpoint');
    expect(notes.join('\n')).toContain('names application ca_someOtherApplication, not ours');
    expect(notes.join('\n')).toContain("Stripe still accepts the connection's tokens");
  }, 60_000);

  it('5. secrets are scrubbed by parameter name, and stored errors hold no SQL', async () => {
    const secret = 'plainLookingValue9137';
    await stack.support(`/connections?token=${secret}&q=x`);
    await fetch(`${stack.url}/api/support/connections?api_key=${secret}`, { headers: { Authorization: `Bearer ${SUPPORT_TOKEN}` } });
    await fetch(`${stack.url}/oauth/callback?code=x&client_secret=${secret}`);
    expect(stack.logs()).not.toContain(secret);
    await updateConnection(db(), alpha.id, {
      last_error: `insert into "charges" ("description") values ('Jane Doe, 12 Main St') - ${'x'.repeat(5000)}`,
    });
    const stored = (await getConnection(db(), alpha.id))!.lastError!;
    expect(stored).not.toContain('Jane Doe');
    expect(stored.startsWith('database error: ')).toBe(true);
    expect(stored.length).toBeLessThanOrEqual(500);
  });

  it('6. app signatures bind method, target and body, are accepted once for changes, and never from the future', async () => {
    const me = { user_id: 'usr_1Hostile', account_id: bravo.account.id, mode: 'test' };
    const signer: AppSigner = { id: me, secret: APP_SIGNING_SECRET };
    const settings = { reporting_timezone: 'UTC', history_since: null, report_families: ['payouts.itemized'] };
    const get = await callApp(stack.url, 'GET', '/settings', me, signer);
    expect(get.status).toBe(200);
    // A GET signature on PUT or POST.
    expect((await callApp(stack.url, 'PUT', '/settings', me, get.header!, settings)).status).toBe(401);
    expect((await callApp(stack.url, 'POST', '/actions/pause', me, get.header!)).status).toBe(401);
    // A PUT signature is accepted once, and only with the body it covers.
    const first = await callApp(stack.url, 'PUT', '/settings', me, signer, settings);
    expect(first.status).toBe(200);
    const replays = await Promise.all(
      Array.from({ length: 10 }, () => callApp(stack.url, 'PUT', '/settings', me, first.header!, settings)),
    );
    expect(replays.map((r) => r.status)).toEqual(Array(10).fill(401));
    expect(
      (await callApp(stack.url, 'PUT', '/settings', me, first.header!, { ...settings, report_families: ['balance.summary'] })).status,
    ).toBe(401);
    // A signature of another target.
    const pauseSignature = await callApp(stack.url, 'GET', '/status', me, signer);
    expect((await callApp(stack.url, 'GET', '/insights?days=30', me, pauseSignature.header!)).status).toBe(401);
    // Dated in the future, beyond the 300 s tolerance: refused on the app and on both webhook routes.
    expect((await callApp(stack.url, 'GET', '/status', me, { ...signer, timestamp: now() + 600 })).status).toBe(401);
    expect((await callApp(stack.url, 'GET', '/status', me, { ...signer, timestamp: now() + 60 })).status).toBe(200);
    const future = JSON.stringify({ ...event('charge.updated', { id: 'ch_future', object: 'charge' }), account: alpha.account.id });
    for (const [path, secret] of [
      ['/webhooks/stripe', APP_WEBHOOK_SECRET],
      ['/webhooks/stripe/bravo-shop', B_SECRET],
    ] as const) {
      const res = await post(path, future, signed(future, secret, now() + 600));
      expect(res.status, path).toBe(400);
      expect(await errorCode(res)).toBe('invalid_signature');
    }
    expect(await db()('event_inbox').where({ event_id: JSON.parse(future).id })).toEqual([]);
  });

  it('7. the database promises durability for what it acknowledged', async () => {
    if (dialect === 'sqlite') {
      const rows = (await db().raw('PRAGMA synchronous')) as { synchronous: number }[];
      expect(rows[0]!.synchronous).toBe(2); // FULL
    } else {
      const { rows } = (await db().raw('SHOW synchronous_commit')) as { rows: { synchronous_commit: string }[] };
      expect(rows[0]!.synchronous_commit).toBe('on');
    }
  });

  it('8. malformed input answers 4xx, never 500', async () => {
    const cases: [string, RequestInit | undefined][] = [
      ['/support/assets/missing-file.js', undefined],
      ['/oauth/callback?code=ac_1&state=a&state=b', undefined],
      ['/oauth/callback?code[x]=1', undefined],
      ['/api/support/connections?q=%00', { headers: { Authorization: `Bearer ${SUPPORT_TOKEN}` } }],
      ['/api/support/connections?q=a%01b', { headers: { Authorization: `Bearer ${SUPPORT_TOKEN}` } }],
      ['/api/support/connections/conn_%00', { headers: { Authorization: `Bearer ${SUPPORT_TOKEN}` } }],
    ];
    for (const [path, init] of cases) {
      const res = await fetch(`${stack.url}${path}`, { redirect: 'manual', ...init });
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
    }
    for (const body of ['null', 'garbage', '"a string"', '{"id":"evt_1","object":"event"}']) {
      const res = await post('/webhooks/stripe', body, signed(body, APP_WEBHOOK_SECRET));
      expect(res.status, body).toBe(400);
    }
  });

  it('10. merchant ids are unique; CSRF tokens are stored nowhere', async () => {
    const charlie = await createAccount(stack.emulator, { name: 'Charlie' });
    const taken = await connectWithKey(charlie, { merchant_id: 'bravo-shop', webhook_secret: C_SECRET });
    expect(taken.status).toBe(409);
    expect(taken.body.error!.message).toContain('bravo-shop');
    await expect(db()('connections').where({ id: alpha.id }).update({ merchant_id: 'bravo-shop' })).rejects.toThrow();
    const login = await fetch(`${stack.url}/api/support/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: SUPPORT_TOKEN }),
    });
    const { csrf_token: csrf } = (await login.json()) as { csrf_token: string };
    expect(JSON.stringify(await db()('support_sessions').select('*'))).not.toContain(csrf);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    expect((await fetch(`${stack.url}/api/support/session`, { method: 'DELETE', headers: { Cookie: cookie } })).status).toBe(403);
    expect(
      (await fetch(`${stack.url}/api/support/session`, { method: 'DELETE', headers: { Cookie: cookie, 'X-CSRF-Token': csrf } })).status,
    ).toBe(204);
  });

  // Last: it locks this test client's address out for a minute.
  it('10. failed logins and bearer tokens are rate limited per address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${stack.url}/api/support/session`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ token: `wrong-token-${i}-0123456789abcdef` }),
      });
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    // Locked out means locked out, even with the right token: a right guess must look like a wrong one.
    expect((await stack.support('/connections')).status).toBe(429);
  });
});

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const ROOT = resolve(import.meta.dirname, '../..');

/** Starts `server/main.ts` with `env` and waits for it to exit (or kills it after `timeoutMs`). */
async function startServer(env: Record<string, string>, timeoutMs = 20_000): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--import', pathToFileURL(resolve(ROOT, 'node_modules/tsx/dist/loader.mjs')).href, resolve(ROOT, 'server/main.ts')],
    {
      env: {
        PATH: process.env.PATH ?? '',
        STRIPE_API_BASE: 'http://127.0.0.1:9',
        LOG_LEVEL: 'warn',
        SUPPORT_TOKENS: SUPPORT_TOKEN,
        PORT: String(await freePort()),
        ...env,
      },
    },
  );
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  child.stdout.on('data', (d) => (stdout += String(d)));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((ok) => child.once('exit', ok));
  clearTimeout(timer);
  // Nothing else may be printed: no driver's stack trace beside our line.
  return { code, stderr: stderr + stdout };
}

describe.each(DIALECTS)('start-up failures on %s say one line and exit', (dialect) => {
  it('9. a database that cannot be used: unreachable, not a database, a /proc path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pi-hostile-'));
    const urls =
      dialect === 'sqlite'
        ? { 'not a database': `sqlite:${join(dir, 'notes.txt')}`, '/proc path': 'sqlite:/proc/self/status', 'a folder': `sqlite:${dir}` }
        : {
            unreachable: 'postgres://postgres@127.0.0.1:1/nothing',
            'no such database': `${POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, '')}/pi_hostile_missing_db`,
          };
    writeFileSync(join(dir, 'notes.txt'), 'these are notes, not a database\n'.repeat(10));
    for (const [label, url] of Object.entries(urls)) {
      const { code, stderr } = await startServer({ DATABASE_URL: url, ENCRYPTION_KEYS: randomBytes(32).toString('base64') });
      expect(code, label).toBe(1);
      expect(stderr.trim().split('\n'), `${label}: ${stderr}`).toHaveLength(1);
      expect(stderr, label).toMatch(/^pi-stripe: (DATABASE_URL points at|cannot use the database in DATABASE_URL)/);
      expect(stderr, label).not.toContain('    at ');
    }
    rmSync(dir, { recursive: true, force: true });
  }, 90_000);

  it('9. a port something else holds', async () => {
    const holder = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => holder.once('listening', r));
    const port = (holder.address() as AddressInfo).port;
    const database = await createTestDatabase(dialect);
    try {
      const url = database.url;
      const { code, stderr } = await startServer({
        DATABASE_URL: url,
        ENCRYPTION_KEYS: randomBytes(32).toString('base64'),
        PORT: String(port),
      });
      expect(code).toBe(1);
      expect(stderr).toBe(
        `pi-stripe: port ${port} is already in use (another npm start?): stop that process, or set PORT to a free port\n`,
      );
    } finally {
      holder.close();
      await database.drop();
    }
  }, 60_000);

  it('9. ENCRYPTION_KEYS that open none of the stored secrets stop the start', async () => {
    const database = await createTestDatabase(dialect);
    try {
      await seedConnections(database.db, 1);
      const keyA = randomBytes(32).toString('base64');
      const services = createServices(
        testConfig({ DATABASE_URL: database.url, ENCRYPTION_KEYS: keyA }),
        database.db,
        capturedLogger().logger,
      );
      await services.secrets.put('conn_seed0000000000', 'api_key', 'sk_test_storedWithKeyA');
      const wrong = await startServer({ DATABASE_URL: database.url, ENCRYPTION_KEYS: randomBytes(32).toString('base64') });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/^pi-stripe: ENCRYPTION_KEYS opens none of the stored secrets .*\n$/);
    } finally {
      await database.drop();
    }
  }, 60_000);
});

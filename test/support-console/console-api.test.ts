import { FailureLimiter } from '../../server/http/failure-limiter.js';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { supportActionRoutes } from '../../server/http/routes/support-actions.js';
import { supportConnectionRoutes } from '../../server/http/routes/support-connections.js';
import { supportSessionRoutes } from '../../server/http/routes/support-session.js';
import { SupportSessions } from '../../server/support/session-store.js';
import type { ConnectionDetail, ConnectionList, ConnectionActivity, SupportOverview } from '../../shared/contracts/connection-status.js';
import { buildConsole } from '../support/browser.js';
import { DIALECTS } from '../support/databases.js';
import { control, createAccount, type DemoAccount } from '../support/emulator.js';
import { routeTable } from '../support/routes.js';
import { startStack, SUPPORT_TOKEN, type Stack } from '../support/stack.js';

type Detail = ConnectionDetail & { activity: ConnectionActivity; webhook_url: string | null };
const sdk = new Stripe('sk_test_signing_only');

describe.each(DIALECTS)('support console API on %s', (dialect) => {
  let stack: Stack;
  let shop: DemoAccount;
  let shopId: string;

  beforeAll(async () => {
    stack = await startStack(dialect, {}, {}, { consoleDir: await buildConsole() });
    shop = await createAccount(stack.emulator, { name: 'Rotating Rugs' });
    const res = await stack.support('/connections', {
      method: 'POST',
      body: JSON.stringify({ name: 'Rotating Rugs', api_key: shop.keys.test, merchant_id: 'rugs', webhook_secret: 'whsec_firstSecret1' }),
    });
    shopId = ((await res.json()) as { connection: { id: string } }).connection.id;
    await stack.services.jobs.idle();
  }, 60_000);
  afterAll(() => stack.close());

  const login = async () => {
    const res = await fetch(`${stack.url}/api/support/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: SUPPORT_TOKEN }),
    });
    expect(res.status).toBe(201);
    const cookie = res.headers.get('set-cookie')!;
    return { cookie: cookie.split(';')[0]!, setCookie: cookie, csrf: ((await res.json()) as { csrf_token: string }).csrf_token };
  };

  it('refuses every console page and support route without a session or token', async () => {
    const sessions = new SupportSessions(stack.database.db);
    const deps = {
      config: stack.config,
      status: stack.services.status,
      connections: stack.services.connections,
      limiters: stack.services.limiters,
    };
    const table = [
      ...routeTable(supportConnectionRoutes(deps)),
      ...routeTable(supportActionRoutes({ ...deps, reports: stack.services.reports })),
      ...routeTable(supportSessionRoutes({ config: stack.config, sessions, failures: new FailureLimiter() })).filter(
        (r) => r.method !== 'POST',
      ),
    ];
    expect(table.length).toBeGreaterThanOrEqual(10);
    for (const { method, path } of table) {
      const url = `${stack.url}/api/support${path.replace(':id', shopId).replace(':action', 'pause')}`;
      for (const headers of [
        {},
        { Cookie: 'pi_support_session=forged-session-id' },
        { Authorization: 'Bearer wrong-token-000000000000' },
      ] as Record<string, string>[]) {
        const res = await fetch(url, {
          method,
          headers: { ...headers, 'Content-Type': 'application/json' },
          body: method === 'GET' ? undefined : '{}',
        });
        expect(res.status, `${method} ${path}`).toBe(401);
      }
    }
    for (const page of ['/support', '/support/', `/support/connections/${shopId}`, '/support/add', '/support/anything/else']) {
      const res = await fetch(`${stack.url}${page}`, { redirect: 'manual' });
      expect(res.status, page).toBe(302);
      expect(res.headers.get('location')).toBe(`/support/login?next=${encodeURIComponent(page)}`);
    }
    const loginPage = await fetch(`${stack.url}/support/login`);
    expect(loginPage.status).toBe(200);
    expect(loginPage.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const asset = /src="(\/support\/assets\/[^"]+\.js)"/.exec(await loginPage.text())![1]!;
    expect((await fetch(`${stack.url}${asset}`)).status).toBe(200);
    expect((await fetch(`${stack.url}/support/assets/../../package.json`)).status).toBe(404);
  });

  it('logs in with a support token into an HttpOnly, SameSite=Strict cookie; actions need the CSRF token; logout ends it', async () => {
    const wrong = await fetch(`${stack.url}/api/support/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: 'nope' }),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const empty = await fetch(`${stack.url}/api/support/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(empty.status).toBe(400);
    const { cookie, setCookie, csrf } = await login();
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\//);
    expect(await stack.database.db('support_sessions').where({ id_hash: cookie.split('=')[1]! })).toEqual([]);

    expect((await fetch(`${stack.url}/api/support/connections`, { headers: { Cookie: cookie } })).status).toBe(200);
    expect((await fetch(`${stack.url}/support/connections/${shopId}`, { headers: { Cookie: cookie }, redirect: 'manual' })).status).toBe(
      200,
    );
    const pause = (headers: Record<string, string>) =>
      fetch(`${stack.url}/api/support/connections/${shopId}/pause`, { method: 'POST', headers: { Cookie: cookie, ...headers } });
    const forged = await pause({ 'X-CSRF-Token': 'guessed' });
    expect(forged.status).toBe(403);
    expect((await pause({})).status).toBe(403);
    expect((await stack.services.connections.get(shopId)).state).toBe('live');
    expect((await pause({ 'X-CSRF-Token': csrf })).status).toBe(200);
    expect((await stack.services.connections.act(shopId, 'resume')).state).toBe('backfilling');
    await stack.services.jobs.idle();

    expect((await fetch(`${stack.url}/api/support/session`, { method: 'DELETE', headers: { Cookie: cookie } })).status).toBe(403);
    const out = await fetch(`${stack.url}/api/support/session`, { method: 'DELETE', headers: { Cookie: cookie, 'X-CSRF-Token': csrf } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/pi_support_session=;/);
    expect((await fetch(`${stack.url}/api/support/connections`, { headers: { Cookie: cookie } })).status).toBe(401);

    const later = await login();
    await stack.database.db('support_sessions').update({ expires_at: Date.now() - 1 });
    expect((await fetch(`${stack.url}/api/support/session`, { headers: { Cookie: later.cookie } })).status).toBe(401);
  });

  it('puts broken credentials, failed events and stalled polling first in the overview', async () => {
    const limited = await createAccount(stack.emulator, { name: 'Limited Lamps' });
    const { key } = await control<{ key: string }>(stack.emulator, 'POST', '/keys', {
      account: limited.id,
      mode: 'test',
      permissions: ['connected_account_read', 'charge_read'],
    });
    const res = await stack.support('/connections', { method: 'POST', body: JSON.stringify({ name: 'Limited Lamps', api_key: key }) });
    const limitedId = ((await res.json()) as { connection: { id: string } }).connection.id;
    await stack.database.db('event_inbox').insert({
      account_id: shop.id,
      event_id: 'evt_broken_1',
      type: 'charge.updated',
      livemode: false,
      created: Math.floor(Date.now() / 1000),
      source: 'merchant_webhook',
      payload: '{}',
      status: 'failed',
      attempts: 5,
      last_error: 'boom',
      received_at: Date.now(),
    });
    const overview = (await (await stack.support('/overview')).json()) as SupportOverview;
    expect(overview.total).toBe(2);
    expect(overview.by_state).toMatchObject({ permission_missing: 1, live: 1 });
    expect(overview.attention.map((a) => [a.id, a.reasons])).toEqual([
      [limitedId, ['the API key lacks permissions']],
      [shopId, ['1 event(s) failed to apply']],
    ]);
    await stack.database
      .db('connections')
      .where({ id: shopId })
      .update({ state_changed_at: Date.now() - 3_600_000 });
    expect(((await (await stack.support('/overview')).json()) as SupportOverview).attention.find((a) => a.id === shopId)!.reasons).toEqual([
      '1 event(s) failed to apply',
      'events have never been polled',
    ]);
    await stack.services.events.poll(shopId);
    await stack.database
      .db('event_watermarks')
      .where({ connection_id: shopId })
      .update({ last_polled_at: Date.now() - 25 * 60_000 });
    const stalled = (await (await stack.support('/overview')).json()) as SupportOverview;
    expect(stalled.attention.find((a) => a.id === shopId)!.reasons).toEqual(['1 event(s) failed to apply', 'no poll for 25 min']);
    const listed = (await (await stack.support('/connections?sort=name&order=asc')).json()) as ConnectionList;
    expect(listed.data.map((c) => c.name)).toEqual(['Limited Lamps', 'Rotating Rugs']);
    expect(listed.data[1]!.events.failed).toBe(1);
    await stack.database.db('event_inbox').where({ event_id: 'evt_broken_1' }).delete();
    await stack.services.connections.disconnect(limitedId, 'test cleanup');
  });

  it('shows hourly lag, deliveries by source and which secrets are set, never their values', async () => {
    await control(stack.emulator, 'POST', '/scenarios/payment', { account: shop.id, amount: 1500 });
    // The poller stays a second behind now (eventual consistency): poll until the event is in.
    await expect.poll(async () => (await stack.services.events.poll(shopId)).stored, { timeout: 10_000, interval: 300 }).toBeGreaterThan(0);
    await stack.services.jobs.idle();
    const res = await stack.support(`/connections/${shopId}`);
    const text = await res.text();
    const detail = JSON.parse(text) as Detail;
    expect(detail.activity.lag_history).toHaveLength(24);
    const lastHour = detail.activity.lag_history.at(-1)!;
    expect(lastHour.events).toBeGreaterThan(0);
    expect(lastHour.max_lag_seconds).toBeLessThan(60);
    expect(detail.activity.lag_history.slice(0, 23).every((h) => h.events === 0)).toBe(true);
    expect(detail.activity.deliveries.map((d) => d.source)).toEqual(['poll']);
    expect(detail.activity.secrets.map((s) => s.kind)).toEqual(['api_key', 'webhook_secret']);
    expect(detail.webhook_url).toBe(`${stack.url}/webhooks/stripe/rugs`);
    expect(text).not.toContain(shop.keys.test);
    expect(text).not.toContain('whsec_');
  });

  it('resyncs one resource alone', async () => {
    const before = await stack.database.db('backfill_runs').where({ connection_id: shopId }).count({ n: '*' });
    const res = await stack.support(`/connections/${shopId}/resync`, { method: 'POST', body: JSON.stringify({ resource: 'refunds' }) });
    expect(res.status).toBe(200);
    await stack.services.jobs.idle();
    const runs = await stack.database.db('backfill_runs').where({ connection_id: shopId }).orderBy('id', 'desc');
    expect(runs.length - Number(before[0]!.n)).toBe(1);
    expect(runs[0]).toMatchObject({ resource: 'refunds', state: 'succeeded' });
    const unknown = await stack.support(`/connections/${shopId}/resync`, { method: 'POST', body: JSON.stringify({ resource: 'secrets' }) });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toContain('Unknown resource "secrets"');
  });

  it('rotates the merchant webhook secret and the API key, refusing a key of another account', async () => {
    const rotated = await stack.support(`/connections/${shopId}/webhook-secret`, {
      method: 'PUT',
      body: JSON.stringify({ webhook_secret: 'whsec_secondSecret2' }),
    });
    expect(rotated.status).toBe(200);
    expect(((await rotated.json()) as Detail).history[0]!.reason).toBe('webhook signing secret replaced by support');
    const event = JSON.stringify({
      id: 'evt_rotated_1',
      object: 'event',
      type: 'charge.updated',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      account: shop.id,
      api_version: '2026-10-28.endive',
      data: { object: { id: 'ch_x', object: 'charge' } },
    });
    const deliver = (secret: string) =>
      fetch(`${stack.url}/webhooks/stripe/rugs`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'Stripe-Signature': sdk.webhooks.generateTestHeaderString({ payload: event, secret }),
        },
        body: event,
      });
    expect((await deliver('whsec_firstSecret1')).status).toBe(400);
    expect((await deliver('whsec_secondSecret2')).status).toBe(200);
    expect(
      (
        await stack.support(`/connections/${shopId}/webhook-secret`, {
          method: 'PUT',
          body: JSON.stringify({ webhook_secret: 'not-a-secret' }),
        })
      ).status,
    ).toBe(400);

    const other = await createAccount(stack.emulator, { name: 'Someone Else' });
    const refused = await stack.support(`/connections/${shopId}/api-key`, {
      method: 'PUT',
      body: JSON.stringify({ api_key: other.keys.test }),
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toBe(
      `This key is for ${other.id} in test mode, but the connection is ${shop.id} in test mode.`,
    );
    const { key } = await control<{ key: string }>(stack.emulator, 'POST', '/keys', {
      account: shop.id,
      mode: 'test',
      permissions: [
        'connected_account_read',
        'balance_read',
        'event_read',
        'report_runs_and_report_types_read',
        'file_read',
        'charge_read',
        'payment_intent_read',
        'refund_read',
        'dispute_read',
        'payout_read',
        'balance_transaction_source_read',
        'review_read',
      ],
    });
    const replaced = await stack.support(`/connections/${shopId}/api-key`, { method: 'PUT', body: JSON.stringify({ api_key: key }) });
    const body = (await replaced.json()) as { connection: Detail; warnings: string[] };
    expect(replaced.status, JSON.stringify(body)).toBe(200);
    expect(body.connection).toMatchObject({ id: shopId, missing_permissions: [], merchant_id: 'rugs' });
    expect((await stack.services.secrets.get(shopId, 'api_key'))!.value).toBe(key);
    await stack.services.jobs.idle();
  });
});

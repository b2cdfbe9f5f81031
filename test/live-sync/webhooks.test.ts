import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCES } from '../../server/resources/registry.js';
import { resourceForEvent } from '../../server/events/object-events.js';
import { SUBSCRIBED_EVENT_TYPES } from '../../shared/event-types.js';
import { createAccount, type DemoAccount } from '../support/emulator.js';
import { DIALECTS } from '../support/databases.js';
import { createApp } from '../../server/app.js';
import { createDb } from '../../server/db/database.js';
import { createServices } from '../../server/services.js';
import { listen } from '../support/http.js';
import { capturedLogger } from '../support/log-capture.js';
import { fixtureEvent } from '../support/fixture-events.js';
import { startStack, type Stack } from '../support/stack.js';

const OLD_SECRET = 'whsec_oldSecretStillValidDuringRotation1';
const NEW_SECRET = 'whsec_newSecretAfterRotation2';
const sdk = new Stripe('sk_test_signing_only');
describe.each(DIALECTS)('webhooks on %s', (dialect) => {
  let stack: Stack;
  let merchant: DemoAccount;

  beforeAll(async () => {
    stack = await startStack(dialect, { STRIPE_WEBHOOK_SECRETS: `${NEW_SECRET},${OLD_SECRET}` });
    merchant = await createAccount(stack.emulator, { name: 'Hooks & Co' });
    const res = await stack.support('/connections', {
      method: 'POST',
      body: JSON.stringify({ name: 'Hooks & Co', api_key: merchant.keys.test }),
    });
    expect(res.status).toBe(201);
    await stack.services.jobs.idle();
  });
  afterAll(() => stack.close());

  const post = (path: string, payload: string, header: string | undefined) =>
    fetch(`${stack.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(header ? { 'Stripe-Signature': header } : {}) },
      body: payload,
    });
  const signed = (event: unknown, secret = NEW_SECRET, timestamp?: number) => {
    const payload = JSON.stringify(event);
    return { payload, header: sdk.webhooks.generateTestHeaderString({ payload, secret, ...(timestamp ? { timestamp } : {}) }) };
  };
  const inboxCount = async () => Number((await stack.database.db('event_inbox').count({ n: '*' }))[0]!.n);

  it('refuses forged, expired, altered and wrongly signed events with 400, storing nothing', async () => {
    const before = await inboxCount();
    const event = fixtureEvent('charge.succeeded', merchant.id, 1);
    const good = signed(event);
    const cases: [string, string, string | undefined][] = [
      ['forged', good.payload, `t=${Math.floor(Date.now() / 1000)},v1=${'ab'.repeat(32)}`],
      [
        'expired',
        signed(event, NEW_SECRET, Math.floor(Date.now() / 1000) - 600).payload,
        signed(event, NEW_SECRET, Math.floor(Date.now() / 1000) - 600).header,
      ],
      ['altered', good.payload.replace('"amount":100', '"amount":999999'), good.header],
      ['wrong secret', good.payload, signed(event, 'whsec_someoneElsesSecret').header],
      ['missing header', good.payload, undefined],
    ];
    for (const [label, payload, header] of cases) {
      const res = await post('/webhooks/stripe', payload, header);
      expect(res.status, label).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code, label).toBe('invalid_signature');
    }
    expect(await inboxCount()).toBe(before);
  });

  it('accepts both secrets during rotation, and a duplicate only once', async () => {
    const a = fixtureEvent('payment_intent.created', merchant.id, 2);
    const b = fixtureEvent('payment_intent.created', merchant.id, 3);
    const first = signed(a, OLD_SECRET);
    expect(await (await post('/webhooks/stripe', first.payload, first.header)).json()).toEqual({ received: true, duplicate: false });
    const second = signed(b, NEW_SECRET);
    expect((await post('/webhooks/stripe', second.payload, second.header)).status).toBe(200);
    expect(await (await post('/webhooks/stripe', first.payload, first.header)).json()).toEqual({ received: true, duplicate: true });
    const row = await stack.database.db('event_inbox').where({ event_id: a.id }).first();
    expect(Number(row.deliveries)).toBe(2);
  });

  it('stores an event delivered several times at once exactly once', async () => {
    const event = signed(fixtureEvent('payout.created', merchant.id, 7));
    const answers = await Promise.all(
      Array.from({ length: 5 }, async () => (await post('/webhooks/stripe', event.payload, event.header)).json()),
    );
    expect(answers.filter((a) => (a as { duplicate: boolean }).duplicate === false)).toHaveLength(1);
    const rows = await stack.database.db('event_inbox').where({ event_id: JSON.parse(event.payload).id });
    expect(rows).toHaveLength(1);
    expect(Number(rows[0].deliveries)).toBe(5);
  });

  it('answers 503 while the database is down, and takes the redelivery once it is back', async () => {
    const event = signed(fixtureEvent('charge.updated', merchant.id, 4));
    // A second process on the same database, whose database connection goes away.
    const serve = async () => {
      const db = createDb(stack.database.url);
      const logger = capturedLogger().logger;
      const app = createApp({ config: stack.config, db, logger, services: createServices(stack.config, db, logger) });
      return { db, server: await listen(app) };
    };
    const down = await serve();
    await down.db.destroy();
    const refused = await fetch(`${down.server.url}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'Stripe-Signature': event.header },
      body: event.payload,
    });
    expect(refused.status).toBe(503);
    await down.server.close();
    expect(await stack.database.db('event_inbox').where({ event_id: JSON.parse(event.payload).id })).toHaveLength(0);

    const up = await serve();
    const accepted = await fetch(`${up.server.url}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'Stripe-Signature': event.header },
      body: event.payload,
    });
    expect(accepted.status).toBe(200);
    await up.server.close();
    await up.db.destroy();
    expect(await stack.database.db('event_inbox').where({ event_id: JSON.parse(event.payload).id })).toHaveLength(1);
  });

  it('serves merchant endpoints: 404 for unknown merchants, 400 for the wrong mode, 413 when too big', async () => {
    const shop = await createAccount(stack.emulator, { name: 'Own Hooks' });
    await stack.support('/connections', {
      method: 'POST',
      body: JSON.stringify({
        name: 'Own Hooks',
        api_key: shop.keys.test,
        merchant_id: 'own-hooks',
        webhook_secret: 'whsec_merchantOwnSecret',
      }),
    });
    const event = fixtureEvent('refund.created', undefined, 5);
    const ok = signed(event, 'whsec_merchantOwnSecret');
    expect((await post('/webhooks/stripe/own-hooks', ok.payload, ok.header)).status).toBe(200);
    expect((await stack.database.db('event_inbox').where({ event_id: event.id }).first()).account_id).toBe(shop.id);
    expect((await post('/webhooks/stripe/nobody', ok.payload, ok.header)).status).toBe(404);
    const live = signed({ ...fixtureEvent('refund.created', undefined, 6), livemode: true }, 'whsec_merchantOwnSecret');
    expect((await post('/webhooks/stripe/own-hooks', live.payload, live.header)).status).toBe(400);
    const huge = signed({ ...event, id: 'evt_huge', padding: 'x'.repeat(600_000) }, 'whsec_merchantOwnSecret');
    expect((await post('/webhooks/stripe/own-hooks', huge.payload, huge.header)).status).toBe(413);
  });

  it('lands every one of the 36 event types in the right table', async () => {
    const events = SUBSCRIBED_EVENT_TYPES.map((type, i) => fixtureEvent(type, merchant.id, 100 + i));
    for (const event of events) {
      const { payload, header } = signed(event);
      expect((await post('/webhooks/stripe', payload, header)).status, event.type).toBe(200);
    }
    await stack.services.jobs.idle();
    for (const event of events) {
      const inbox = await stack.database.db('event_inbox').where({ event_id: event.id }).first();
      expect(inbox.status, event.type).toBe('processed');
      const resource = resourceForEvent(event.type);
      const objectId = (event.data.object as { id: string }).id;
      if (resource) {
        const row = await stack.database.db(resource.table).where({ account_id: merchant.id, id: objectId }).first();
        expect(row?.source_event_id, `${event.type} → ${resource.table}`).toBe(event.id);
      } else {
        expect([
          'file.created',
          'reporting.report_run.succeeded',
          'reporting.report_run.failed',
          'reporting.report_type.updated',
        ]).toContain(event.type);
      }
    }
    expect(RESOURCES.every((r) => r.eventTypes.length || r.name === 'balance_transactions')).toBe(true);
  });
});

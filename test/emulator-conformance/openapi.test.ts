import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPaused, seededAccount } from '../backfill/support.js';
import { control, createAccount } from '../support/emulator.js';
import { checkRequest, checkResponse, shapeOf, type Exchange } from '../support/openapi.js';
import { install, startStack, type Stack } from '../support/stack.js';

/**
 * Every request the product sends, and every answer the emulator gives, against Stripe's OpenAPI
 * definitions (server/emulator/stripe-openapi-2023-08-16-trimmed.json, Stripe's published file
 * trimmed to the endpoints we call). Every test stack checks its own traffic when it closes
 * (test/support/stack.ts), so the backfill, live, reports and OAuth tests fail on a request shape
 * Stripe does not define; this file proves the checker refuses such shapes, and walks all four.
 */
const get = (path: string, query: Record<string, unknown> = {}): Exchange => ({
  method: 'GET',
  path,
  query,
  body: {},
  status: 200,
  response: null,
});

describe("requests checked against Stripe's OpenAPI definitions", () => {
  it('accepts the shapes Stripe defines, and names what it does not', () => {
    expect(checkRequest(get('/v1/charges', { limit: '100', created: { gte: '1', lt: '9' }, starting_after: 'ch_1' }))).toEqual([]);
    expect(checkRequest(get('/v1/events', { types: ['charge.succeeded', 'refund.created'], created: { gt: '5' } }))).toEqual([]);
    expect(checkRequest(get('/v1/balance_transactions', { payout: 'po_1', limit: '100' }))).toEqual([]);
    expect(checkRequest(get('/v1/charges', { updated: { gte: '1' } }))).toEqual([
      'GET /v1/charges updated: Stripe defines no such parameter',
    ]);
    expect(checkRequest(get('/v1/charges', { created: { after: '1' } }))[0]).toContain('created[after]');
    expect(checkRequest(get('/v1/charges', { limit: 'ten' }))[0]).toContain("'ten' is not an integer");
    expect(checkRequest(get('/v1/charges/ch_1/refunds'))[0]).toContain('no such operation');
    const run = (parameters: Record<string, unknown>): Exchange => ({
      method: 'POST',
      path: '/v1/reporting/report_runs',
      query: {},
      body: { report_type: 'balance.summary.1', parameters },
      status: 200,
      response: null,
    });
    expect(checkRequest(run({ interval_start: '1', interval_end: '2', timezone: 'Europe/Berlin' }))).toEqual([]);
    expect(checkRequest(run({ interval_end: '2', timezone: 'Mars/Olympus_Mons' }))[0]).toContain("not one of Stripe's values");
    expect(checkRequest(run({ interval_end: '2', window: 'week' }))[0]).toContain('body[parameters][window]');
    // The two calls Stripe's file does not cover (other hosts) are known, not guessed.
    expect(
      checkRequest({
        method: 'POST',
        path: '/v1/oauth/token',
        query: {},
        body: { grant_type: 'refresh_token' },
        status: 200,
        response: null,
      }),
    ).toEqual([]);
  });

  it('checks answers: types, nullability, required fields and enums of what the definitions hold', () => {
    const list = (data: unknown[]) => ({ ...get('/v1/payouts'), response: { object: 'list', url: '/v1/payouts', has_more: false, data } });
    expect(checkResponse(list([]))).toEqual([]);
    expect(checkResponse(list([{ id: 'po_1', object: 'payout', amount: '12.00' }])).join('\n')).toMatch(/amount: expected an integer/);
    expect(checkResponse(list([{ id: 'po_1', object: 'payout' }])).join('\n')).toMatch(/arrival_date: required, missing/);
    expect(checkResponse({ ...list([]), response: { object: 'lists', url: '/v1/payouts', has_more: false, data: [] } })[0]).toContain(
      "'lists' is not one of Stripe's values",
    );
  });
});

describe("the product's own traffic, end to end", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('sqlite');
  });
  afterAll(() => stack.close());

  it('backfill, live events, reports and OAuth: every request and answer is one Stripe defines', async () => {
    // Backfill and verification with an API key; then reports for it.
    // History left unpaid, so the payout below has funds to settle.
    const keyed = await seededAccount(stack, 120, { payouts: false });
    const id = await connectPaused(stack, keyed.keys.test);
    // Live: payments, a refund and a payout while polling.
    const made = await control<{ charge: { id: string } }>(stack.emulator, 'POST', '/scenarios/payment', {
      account: keyed.id,
      amount: 4200,
    });
    await control(stack.emulator, 'POST', '/scenarios/refund', { account: keyed.id, charge: made.charge.id });
    const payout = await control<{ id: string }>(stack.emulator, 'POST', '/scenarios/payout', { account: keyed.id });
    await control(stack.emulator, 'POST', '/scenarios/payout_paid', { account: keyed.id, payout: payout.id });
    await new Promise((r) => setTimeout(r, 1200));
    await stack.services.events.poll(id);
    await stack.services.jobs.idle();
    await stack.services.reports.schedule(id);
    for (let i = 0; i < 2; i++) {
      await new Promise((r) => setTimeout(r, 1200));
      await stack.services.events.poll(id);
      await stack.services.jobs.idle();
    }
    // OAuth: install, token exchange, a refresh.
    const merchant = await createAccount(stack.emulator, { name: 'Installed' });
    await install(stack, merchant.id);
    await stack.services.jobs.idle();
    const oauthId = String((await stack.database.db('connections').where({ account_id: merchant.id }).first()).id);
    await stack.services.tokens.refresh(oauthId);

    expect(stack.openapiProblems()).toEqual([]);
    const operations = new Set(stack.exchanges.map((x) => shapeOf(x).split(' ').slice(0, 2).join(' ')));
    for (const op of [
      'GET /v1/account',
      'GET /v1/balance',
      'GET /v1/charges',
      'GET /v1/payment_intents',
      'GET /v1/refunds',
      'GET /v1/disputes',
      'GET /v1/payouts',
      'GET /v1/balance_transactions',
      'GET /v1/radar/early_fraud_warnings',
      'GET /v1/events',
      'GET /v1/reporting/report_types',
      'POST /v1/reporting/report_runs',
      'GET /v1/files/{file}/contents',
      'POST /v1/oauth/token',
    ])
      expect(operations, op).toContain(op);
    // What a paid payout settled is listed by payout.
    expect(stack.exchanges.some((x) => x.path === '/v1/balance_transactions' && x.query.payout === payout.id)).toBe(true);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startStack, type Stack } from '../support/stack.js';

const WEBHOOK_SECRET = 'whsec_badInputSuiteSecret000000';

/** Deterministic pseudo-random generator (mulberry32): the same inputs on every run. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every public route (and the authenticated ones, unauthenticated), with what a client may send. */
const TARGETS: { method: string; path: string }[] = [
  { method: 'POST', path: '/webhooks/stripe' },
  { method: 'POST', path: '/webhooks/stripe/some-merchant' },
  { method: 'GET', path: '/oauth/install' },
  { method: 'GET', path: '/oauth/callback' },
  { method: 'POST', path: '/api/support/session' },
  { method: 'GET', path: '/api/app/status' },
  { method: 'PUT', path: '/api/app/settings' },
  { method: 'POST', path: '/api/app/actions/resync' },
  { method: 'GET', path: '/api/support/connections' },
  { method: 'POST', path: '/api/support/connections' },
  { method: 'GET', path: '/support/connections/x' },
];

const BODIES = (next: () => number): { type: string; body: string | Buffer }[] => [
  { type: 'application/json', body: '{"id": "evt_1", ' },
  { type: 'application/json', body: 'null' },
  { type: 'application/json', body: '[1,2,3]' },
  { type: 'application/json', body: JSON.stringify({ __proto__: { admin: true }, constructor: { prototype: { x: 1 } } }) },
  { type: 'text/plain', body: 'hello' },
  { type: 'application/x-www-form-urlencoded', body: 'token=a&token=b' },
  { type: 'application/json', body: Buffer.alloc(2 * 1024 * 1024, 0x61) },
  { type: 'application/json', body: Buffer.from(Array.from({ length: 64 }, () => Math.floor(next() * 256))) },
  { type: 'application/octet-stream', body: '\u0000\u0001\u0002' },
];

const HEADERS = [
  {},
  { 'Stripe-Signature': 't=abc,v1=zz' },
  { 'Stripe-Signature': 't=1,v1=' + 'a'.repeat(64) },
  { 'Stripe-Signature': ','.repeat(500) },
  { Authorization: 'Bearer ' },
  { Authorization: 'Bearer ' + 'x'.repeat(5000) },
  { Cookie: 'pi_support_session=' + 'y'.repeat(300) },
];

const QUERIES = [
  '',
  '?mode=../../etc/passwd',
  '?state=%00&code=%ff',
  '?limit=-1&offset=abc',
  '?mode=live&mode=test',
  '?' + 'a=1&'.repeat(500),
];

describe.each(DIALECTS)('bad input at every public route on %s', (dialect) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(dialect, { STRIPE_WEBHOOK_SECRETS: WEBHOOK_SECRET });
  });
  afterAll(() => stack.close());

  const counts = async () =>
    Object.fromEntries(
      await Promise.all(
        ['event_inbox', 'connections', 'connection_secrets', 'support_sessions', 'oauth_states'].map(async (t) => [
          t,
          Number((await stack.database.db(t).count({ n: '*' }))[0]!.n),
        ]),
      ),
    );

  it('answers 4xx with a clear code, stays up, and stores nothing', async () => {
    const before = await counts();
    const next = random(7);
    const answers: string[] = [];
    for (const { method, path } of TARGETS) {
      for (let i = 0; i < 12; i++) {
        const query = QUERIES[Math.floor(next() * QUERIES.length)]!;
        const headers = HEADERS[Math.floor(next() * HEADERS.length)]! as Record<string, string>;
        const init: RequestInit = { method, headers: { ...headers }, redirect: 'manual' };
        if (method !== 'GET') {
          const bodies = BODIES(next);
          const { type, body } = bodies[Math.floor(next() * bodies.length)]!;
          init.body = body;
          (init.headers as Record<string, string>)['Content-Type'] = type;
        }
        const res = await fetch(`${stack.url}${path}${query}`, init);
        const text = await res.text();
        const label = `${method} ${path}${query.slice(0, 40)} [${String((init.headers as Record<string, string>)['Content-Type'] ?? '')}]`;
        answers.push(`${res.status}`);
        // Only /oauth/install (to Stripe, for a valid mode) and console pages (to the login) redirect.
        const mayRedirect = path === '/oauth/install' || path.startsWith('/support/');
        const ok = (res.status >= 400 && res.status < 500) || (mayRedirect && res.status === 302);
        expect(ok, `${label}: ${res.status} ${text.slice(0, 200)}`).toBe(true);
        if (res.status !== 302 && (res.headers.get('content-type') ?? '').includes('json')) {
          const error = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
          expect(error?.code, label).toMatch(/^[a-z_]+$/);
          expect(error?.message?.length, label).toBeGreaterThan(5);
        }
      }
    }
    expect((await fetch(`${stack.url}/healthz`)).status).toBe(200);
    const after = await counts();
    // /oauth/install with a valid mode stores a (short-lived, single-use) state; nothing else is stored.
    expect({ ...after, oauth_states: 0 }).toEqual({ ...before, oauth_states: 0 });
    expect(answers.length).toBe(TARGETS.length * 12);
    // The inputs reached past authentication too: not every answer is a 401.
    expect(new Set(answers).size, answers.join(' ')).toBeGreaterThanOrEqual(4);
  }, 120_000);
});

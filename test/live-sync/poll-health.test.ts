import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionDetail, SupportOverview } from '../../shared/contracts/connection-status.js';
import { control } from '../support/emulator.js';
import { DIALECTS } from '../support/databases.js';
import { startStack, type Stack } from '../support/stack.js';
import { connectPaused, seededAccount } from '../backfill/support.js';

/**
 * Polls of Stripe's events that keep failing (429, 5xx, network) make the connection visibly
 * delayed within the configured time (about a minute in production; 300 ms here), with the last
 * error and the last good poll; the first good poll brings it back on its own.
 */
describe.each(DIALECTS)('failing event polls on %s', (dialect) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(dialect, {}, { delayedAfterMs: 300 });
  });
  afterAll(() => stack.close());

  const detail = async (id: string) => (await (await stack.support(`/connections/${id}`)).json()) as ConnectionDetail;

  it('counts real deliveries only: a poll re-reading its overlap writes nothing and delivers nothing', async () => {
    const account = await seededAccount(stack, 10);
    const id = await connectPaused(stack, account.keys.test);
    for (let i = 0; i < 3; i++) await control(stack.emulator, 'POST', '/scenarios/payment', { account: account.id, amount: 1000 + i });
    await new Promise((r) => setTimeout(r, 2_100)); // past the poller's lag (whole seconds)
    for (let i = 0; i < 4; i++) await stack.services.events.poll(id);
    const rows = await stack.database
      .db('event_inbox')
      .where({ account_id: account.id })
      .count({ n: '*' })
      .sum({ deliveries: 'deliveries' });
    expect(Number(rows[0]!.n)).toBeGreaterThan(5);
    expect(Number(rows[0]!.deliveries)).toBe(Number(rows[0]!.n));
    const sources = (await detail(id)).events.by_source;
    expect(sources.poll).toBe(Number(rows[0]!.n));
  }, 30_000);

  it.each([
    ['429', 429, /Stripe answered 429/],
    ['500', 500, /Stripe answered 500/],
    ['a reset connection', 'reset', /network/],
  ] as const)(
    'shows %s as delayed and degraded, lists it, and recovers',
    async (_label, action, error) => {
      const account = await seededAccount(stack, 10);
      const id = await connectPaused(stack, account.keys.test);
      await stack.services.events.poll(id);
      const good = await detail(id);
      expect(good).toMatchObject({ state: 'live', events: { delayed: null } });
      expect(good.events.last_checked_at).not.toBeNull();

      await control(stack.emulator, 'POST', '/faults', { path: '^/v1/events', account: account.id, action });
      try {
        await expect(stack.services.events.poll(id)).rejects.toThrow();
        // The first failure is remembered, not yet called a delay.
        const first = await detail(id);
        expect(first.state).toBe('live');
        expect(first.events.delayed).toMatchObject({
          last_error: expect.stringMatching(error),
          last_good_poll_at: good.events.last_polled_at,
        });
        await new Promise((r) => setTimeout(r, 350));
        await expect(stack.services.events.poll(id)).rejects.toThrow();
        const delayed = await detail(id);
        expect(delayed.state).toBe('degraded');
        expect(delayed.state_reason).toMatch(/^events delayed: polls of Stripe have failed since/);
        expect(delayed.state_reason).toContain(`last good poll ${good.events.last_polled_at}`);
        expect(delayed.last_error?.message).toMatch(error);
        const overview = (await (await stack.support('/overview')).json()) as SupportOverview;
        expect(overview.attention.find((a) => a.id === id)?.reasons.join(' ')).toMatch(/events delayed/);
      } finally {
        await control(stack.emulator, 'DELETE', '/faults');
      }
      await stack.services.events.poll(id);
      const back = await detail(id);
      expect(back).toMatchObject({ state: 'live', state_reason: 'events flow again: polls of Stripe work', events: { delayed: null } });
      expect(back.history.slice(0, 2).map((h) => h.to)).toEqual(['live', 'degraded']);
    },
    60_000,
  );
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { control } from '../support/emulator.js';
import { DIALECTS } from '../support/databases.js';
import { startStack, type Stack } from '../support/stack.js';
import { connectPaused, seededAccount } from '../backfill/support.js';

/**
 * Stripe lists what a payout settled (`GET /v1/balance_transactions?payout=`) only for automatic
 * payouts; for a manual one it refuses the filter (stripe-facts.md, "Lists"). A paid manual payout
 * must be applied without it: stored, with its own balance transaction marked as its own.
 */
describe.each(DIALECTS)('manual payouts on %s', (dialect) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(dialect);
  });
  afterAll(() => stack.close());

  it('applies a paid manual payout without the payout filter (automatic ones: poller.test.ts)', async () => {
    const account = await seededAccount(stack, 40, { payouts: false });
    const id = await connectPaused(stack, account.keys.test);
    const manual = await control<{ id: string; automatic: boolean; balance_transaction: string }>(
      stack.emulator,
      'POST',
      '/scenarios/payout',
      { account: account.id, manual: true },
    );
    expect(manual.automatic).toBe(false);
    await control(stack.emulator, 'POST', '/scenarios/payout_paid', { account: account.id, payout: manual.id });
    await control(stack.emulator, 'POST', '/scenarios/payment', { account: account.id, amount: 5000 });
    await new Promise((r) => setTimeout(r, 2_100)); // past the poller's lag (whole seconds)
    await stack.services.events.poll(id);
    await stack.services.jobs.idle();

    const db = stack.database.db;
    const events = await db('event_inbox')
      .where({ account_id: account.id })
      .whereLike('type', 'payout.%')
      .select('type', 'status', 'last_error');
    expect(events.length).toBeGreaterThan(0);
    expect(events.filter((e: { status: string }) => e.status !== 'processed')).toEqual([]);
    expect(await db('payouts').where({ account_id: account.id, id: manual.id }).first('status')).toMatchObject({ status: 'paid' });
    expect(
      await db('balance_transactions').where({ account_id: account.id, id: manual.balance_transaction }).first('payout'),
    ).toMatchObject({ payout: manual.id });
    // Nothing else claims to be settled by it: Stripe links nothing else to a manual payout.
    expect(Number((await db('balance_transactions').where({ account_id: account.id, payout: manual.id }).count({ n: '*' }))[0]!.n)).toBe(1);
  });
});

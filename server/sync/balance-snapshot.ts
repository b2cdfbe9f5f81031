import type Stripe from 'stripe';
import type { Connection } from '../connections/connection-repository.js';
import type { Db } from '../db/database.js';
import { limitedCall } from '../stripe/call-policy.js';
import type { AccountRateLimiter } from '../stripe/rate-limiter.js';

/** The balance is one object, not a list: each snapshot is kept with its time. */
export async function takeBalanceSnapshot(db: Db, connection: Connection, stripe: Stripe, limiter: AccountRateLimiter): Promise<void> {
  const balance = await limitedCall(limiter, 'balance', () => stripe.balance.retrieve());
  await db('balance_snapshots').insert({
    account_id: connection.accountId,
    livemode: connection.livemode,
    taken_at: Date.now(),
    raw: JSON.stringify(balance),
  });
}

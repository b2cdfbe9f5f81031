import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKGROUND_SHARE } from '../../server/stripe/rate-limiter.js';
import { SharedRateLimiter } from '../../server/stripe/shared-rate-limiter.js';
import { grantsWithin } from '../support/rate-grants.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

// The database-backed budget exists for pg-boss deployments, so PostgreSQL only.
describe('shared rate limiter on postgres', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
  });
  afterAll(async () => database.drop());

  it("never holds a call back behind another endpoint's wait", async () => {
    // Half of 2/s: one charges call a second; the account-wide budget is plenty.
    const limiter = new SharedRateLimiter(database.db, 'acct_1Lanes:test', { global: 100, endpoint: 2 }, 0.5);
    const order: string[] = [];
    const charges = [1, 2, 3].map((n) => limiter.acquire('charges').then(() => order.push(`charges ${n}`)));
    const refunds = limiter.acquire('refunds').then(() => order.push('refunds'));
    await Promise.all([...charges, refunds]);
    expect(order.indexOf('refunds')).toBeLessThan(order.indexOf('charges 2'));
    expect(order.filter((o) => o.startsWith('charges'))).toEqual(['charges 1', 'charges 2', 'charges 3']);
  });

  it('holds background work to its share of the account budget, across limiters of several processes', async () => {
    // Two processes' limiters for one account, 40 requests/s (fraction 1): background gets 12/s in all.
    const a = new SharedRateLimiter(database.db, 'acct_1Share:test', { global: 40, endpoint: 40 }, 1);
    const b = new SharedRateLimiter(database.db, 'acct_1Share:test', { global: 40, endpoint: 40 }, 1);
    const [ga, gb] = await Promise.all([grantsWithin(a, 'background', 1500, 5), grantsWithin(b, 'background', 1500, 5)]);
    expect(ga + gb).toBeLessThanOrEqual(Math.ceil(40 * BACKGROUND_SHARE * 1.5) + 1);
    expect(ga + gb).toBeGreaterThan(0);
    expect(a.busy('charges')).toBe(false);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SharedRateLimiter } from '../../server/stripe/shared-rate-limiter.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

// The database-backed budget exists for pg-boss deployments, so PostgreSQL only.
describe('shared rate limiter on postgres', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
  });
  afterAll(async () => database.drop());

  it('never holds a call back behind another endpoint\'s wait', async () => {
    // Half of 2/s: one charges call a second; the account-wide budget is plenty.
    const limiter = new SharedRateLimiter(database.db, 'acct_1Lanes:test', { global: 100, endpoint: 2 }, 0.5);
    const order: string[] = [];
    const charges = [1, 2, 3].map((n) => limiter.acquire('charges').then(() => order.push(`charges ${n}`)));
    const refunds = limiter.acquire('refunds').then(() => order.push('refunds'));
    await Promise.all([...charges, refunds]);
    expect(order.indexOf('refunds')).toBeLessThan(order.indexOf('charges 2'));
    expect(order.filter((o) => o.startsWith('charges'))).toEqual(['charges 1', 'charges 2', 'charges 3']);
  });
});

import { describe, expect, it } from 'vitest';
import { BACKGROUND_SHARE, MemoryRateLimiter } from '../../server/stripe/rate-limiter.js';
import { grantsWithin } from '../support/rate-grants.js';

describe('MemoryRateLimiter', () => {
  it('holds background work to its share of the account budget, however many callers ask', async () => {
    // 40 requests/s for the account (fraction 1): background gets at most 30% of that, 12/s.
    const limiter = new MemoryRateLimiter({ global: 40, endpoint: 40 }, 1);
    const granted = await grantsWithin(limiter, 'background', 1500);
    expect(granted).toBeLessThanOrEqual(Math.ceil(40 * BACKGROUND_SHARE * 1.5) + 1);
    expect(granted).toBeGreaterThan(0);
  });

  it('is busy while the budget is in full use, and not at half its rate', async () => {
    const limiter = new MemoryRateLimiter({ global: 10, endpoint: 10 }, 1);
    expect(limiter.busy('charges')).toBe(false);
    // One caller at half the rate: no second of it is full.
    for (let i = 0; i < 6; i++) {
      await limiter.acquire('charges');
      expect(limiter.busy('charges')).toBe(false);
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 1100));
    // Five callers asking as fast as they can: every grant waits for its token.
    await grantsWithin(limiter, 'foreground', 800, 5);
    expect(limiter.busy('charges')).toBe(true);
    await new Promise((r) => setTimeout(r, 1100));
    expect(limiter.busy('charges')).toBe(false);
    // Background calls held by their own share say nothing about the account's budget.
    const roomy = new MemoryRateLimiter({ global: 1000, endpoint: 1000 }, 0.5);
    await grantsWithin(roomy, 'background', 300, 3);
    expect(roomy.busy('charges')).toBe(false);
  });
});

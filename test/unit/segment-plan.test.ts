import { describe, expect, it } from 'vitest';
import { PAGES_PER_CHAIN, splitBelow } from '../../server/sync/backfill/segment-plan.js';

describe('splitBelow', () => {
  it('hands everything more than ten pages below the chain to a new oldest chain, without gap or overlap', () => {
    // The oldest chain reaches down to the floor (0: nothing assumed) and has seen 60 s per page.
    const split = splitBelow({ gte: 0, lt: 1_000_000 }, 999_000, { floor: 0, secondsPerPage: 60 });
    expect(split).toEqual({
      keep: { gte: 999_000 - PAGES_PER_CHAIN * 60, lt: 1_000_000 },
      child: { gte: 0, lt: 999_000 - PAGES_PER_CHAIN * 60 },
    });
    expect(split!.keep.gte).toBe(split!.child.lt);
  });

  it('puts the split where the data is: sparse history gets wide chains, dense history narrow ones', () => {
    const dense = splitBelow({ gte: 0, lt: 2e9 }, 1.7e9, { floor: 0, secondsPerPage: 30 })!;
    const sparse = splitBelow({ gte: 0, lt: 2e9 }, 1.7e9, { floor: 0, secondsPerPage: 86_400 * 7 })!;
    expect(1.7e9 - dense.keep.gte).toBe(300);
    expect(1.7e9 - sparse.keep.gte).toBe(PAGES_PER_CHAIN * 86_400 * 7);
  });

  it('still splits inside a same-second burst (at least one second per page)', () => {
    expect(splitBelow({ gte: 0, lt: 1001 }, 1000, { floor: 0, secondsPerPage: 0 })).toEqual({
      keep: { gte: 990, lt: 1001 },
      child: { gte: 0, lt: 990 },
    });
  });

  it('never splits past the floor, and leaves a bounded chain with less than another chain below it alone', () => {
    expect(splitBelow({ gte: 500, lt: 1000 }, 900, { floor: 500, secondsPerPage: 50 })).toBeNull();
    // Bounded (its lower end is above the floor): splits only when a whole chain's worth lies below the split.
    expect(splitBelow({ gte: 100, lt: 1000 }, 900, { floor: 0, secondsPerPage: 50 })).toBeNull();
    expect(splitBelow({ gte: 100, lt: 2000 }, 1900, { floor: 0, secondsPerPage: 50 })).toEqual({
      keep: { gte: 1400, lt: 2000 },
      child: { gte: 100, lt: 1400 },
    });
  });
});

import { describe, expect, it } from 'vitest';
import { splitOlder } from '../../server/sync/backfill/segment-plan.js';

const page = (newest: number, oldest: number, n = 100) =>
  Array.from({ length: n }, (_, i) => ({ created: Math.round(newest - ((newest - oldest) * i) / (n - 1)) }));

describe('splitOlder', () => {
  it('keeps the boundary second and partitions everything older, without gaps or overlaps', () => {
    const { keep, children } = splitOlder({ gte: 0, lt: 1_000_000 }, page(999_990, 999_000));
    expect(keep).toEqual({ gte: 999_000, lt: 1_000_000 });
    expect(children[0]!.gte).toBe(0);
    expect(children.at(-1)!.lt).toBe(999_000);
    for (let i = 1; i < children.length; i++) expect(children[i]!.gte).toBe(children[i - 1]!.lt);
    expect(children.length).toBe(16);
  });

  it('does not split when everything left shares the boundary second (a same-second burst)', () => {
    expect(splitOlder({ gte: 500, lt: 501 }, page(500, 500))).toEqual({ keep: { gte: 500, lt: 501 }, children: [] });
  });

  it('makes few children for a sparse remainder and never more than its seconds', () => {
    expect(splitOlder({ gte: 10, lt: 1000 }, page(999, 990)).children).toHaveLength(10);
    expect(splitOlder({ gte: 0, lt: 100 }, page(99, 98)).keep.gte).toBe(98);
    const tiny = splitOlder({ gte: 97, lt: 100 }, page(99, 98));
    expect(tiny.children).toEqual([{ gte: 97, lt: 98, estimate: expect.any(Number) }]);
    const sparse = splitOlder({ gte: 0, lt: 10_000_000 }, page(9_999_999, 9_000_000));
    expect(sparse.children).toHaveLength(1);
  });
});

import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { currentVersions, nextIntervals } from '../../server/reports/report-service.js';

const DAY = 86400;

describe('report scheduling', () => {
  it('picks the highest version of each family, whatever the order Stripe lists them in', () => {
    const type = (id: string, version: number) =>
      ({ id, version, data_available_start: 0, data_available_end: DAY }) as Stripe.Reporting.ReportType;
    const versions = currentVersions([
      type('payouts.itemized.3', 3),
      type('payouts.itemized.10', 10),
      type('payouts.itemized.4', 4),
      type('balance.summary.1', 1),
    ]);
    expect(versions.get('payouts.itemized')!.id).toBe('payouts.itemized.10');
    expect(versions.get('balance.summary')!.version).toBe(1);
  });

  it('asks for the whole window first, then each new day, never outside the window', () => {
    const window = { start: 10 * DAY, end: 20 * DAY };
    expect(nextIntervals(window, null, false)).toEqual([[10 * DAY, 20 * DAY]]);
    expect(nextIntervals(window, { start: 10 * DAY, end: 20 * DAY }, false)).toEqual([]);
    expect(nextIntervals({ start: 10 * DAY, end: 22 * DAY }, { start: 10 * DAY, end: 20 * DAY }, false)).toEqual([
      [20 * DAY, 21 * DAY],
      [21 * DAY, 22 * DAY],
    ]);
    expect(nextIntervals({ start: 0, end: 100 * DAY }, { start: 0, end: 10 * DAY }, false)).toEqual([[10 * DAY, 100 * DAY]]);
    expect(nextIntervals(window, { start: 12 * DAY, end: 13 * DAY }, true)).toEqual([[12 * DAY, 13 * DAY]]);
    expect(nextIntervals({ start: 5, end: 5 }, null, false)).toEqual([]);
    // An account connected today with no data yet: nothing to ask for, even when forced.
    expect(nextIntervals({ start: 5, end: 5 }, null, true)).toEqual([]);
  });
});

const WINDOW_MS = 1000;
/** A bucket granting this share of its rate is in full use. */
const FULL_UTILIZATION = 0.9;
/** …and so is one whose grants mostly had to wait (its budget is spent by others: other processes). */
const FULL_WAITED_SHARE = 0.8;

/**
 * A bucket's grants over the last second: whether it runs at its rate, so that more parallel work
 * would only queue (the backfill asks before it splits). A single wait means little: two calls
 * meeting on a two-token bucket wait a few milliseconds at half the rate.
 */
export class RecentUse {
  private readonly grants: { at: number; waited: boolean }[] = [];

  record(waited: boolean, now = Date.now()): void {
    this.grants.push({ at: now, waited });
    this.trim(now);
  }

  full(rate: number, now = Date.now()): boolean {
    this.trim(now);
    const n = this.grants.length;
    if (n >= FULL_UTILIZATION * rate * (WINDOW_MS / 1000)) return true;
    return n >= 3 && this.grants.filter((g) => g.waited).length / n >= FULL_WAITED_SHARE;
  }

  private trim(now: number): void {
    let drop = 0;
    while (drop < this.grants.length && this.grants[drop]!.at <= now - WINDOW_MS) drop++;
    if (drop) this.grants.splice(0, drop);
  }
}

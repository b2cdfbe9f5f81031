export type StripeObject = Record<string, unknown> & { id: string; object: string; created: number };

interface Entry {
  object: StripeObject;
  seq: number;
  /** Epoch ms before which list calls do not show it (the events list is eventually consistent). */
  visibleAt: number;
}

/**
 * Objects of one type in one account and mode, kept in Stripe's list order. Lists are newest
 * first by `created`; objects sharing a second keep a stable order (later insert = newer), so
 * cursors behave as Stripe's do when hundreds of objects share one `created` second.
 */
export class Collection {
  private readonly byId = new Map<string, Entry>();
  private ordered: Entry[] = [];
  private seq = 0;
  private sorted = true;

  get size(): number {
    return this.byId.size;
  }

  insert(object: StripeObject, visibleAt = 0): void {
    if (this.byId.has(object.id)) throw new Error(`duplicate id ${object.id}`);
    const entry = { object, seq: ++this.seq, visibleAt };
    this.byId.set(object.id, entry);
    const last = this.ordered[this.ordered.length - 1];
    if (last && last.object.created > object.created) this.sorted = false;
    this.ordered.push(entry);
  }

  get(id: string): StripeObject | undefined {
    return this.byId.get(id)?.object;
  }

  /** Ascending (oldest first) entries. */
  entries(): Entry[] {
    if (!this.sorted) {
      this.ordered.sort((a, b) => a.object.created - b.object.created || a.seq - b.seq);
      this.sorted = true;
    }
    return this.ordered;
  }

  /** Index in `entries()` of the first entry with created >= `created`. */
  lowerBound(created: number): number {
    const list = this.entries();
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]!.object.created < created) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index in `entries()` of the object with this id, or -1. */
  indexOf(id: string): number {
    const entry = this.byId.get(id);
    if (!entry) return -1;
    const list = this.entries();
    let i = this.lowerBound(entry.object.created);
    while (i < list.length && list[i] !== entry) i++;
    return i < list.length ? i : -1;
  }

  all(): StripeObject[] {
    return this.entries().map((e) => e.object);
  }
}

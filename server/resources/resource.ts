import type Stripe from 'stripe';

/** A page of Stripe objects as the SDK returns it. */
export interface StripePage<T> {
  data: T[];
  has_more: boolean;
}

export interface ListParams {
  limit?: number;
  starting_after?: string;
  ending_before?: string;
  created?: { gt?: number; gte?: number; lt?: number; lte?: number };
}

export type Row = Record<string, string | number | boolean | null>;

/**
 * One Stripe resource we import: the same small interface for every one of them, listed in
 * `registry.ts`. Backfill, single-object refresh and event handling go through it only.
 */
export interface ResourceModule<T extends { id: string; created: number } = { id: string; created: number }> {
  /** Plural name used in status, CLI and table names, for example `charges`. */
  name: string;
  /** Stripe's `object` value, for example `charge`. */
  objectType: string;
  table: string;
  /** Stripe App manifest permission that reading it needs. */
  permission: string;
  /** Event types whose `data.object` is one of these objects. */
  eventTypes: readonly string[];
  list(stripe: Stripe, params: ListParams): Promise<StripePage<T>>;
  retrieve(stripe: Stripe, id: string): Promise<T>;
  /** The typed columns of this resource's table (the common ones are added by the store). */
  toRow(object: T): Row;
  /**
   * What its objects point to that we store too: an event's payload is not expanded, so live sync
   * fetches a linked object it has not seen yet (a refund's charge, a charge's fee transaction).
   */
  links: readonly ResourceLink[];
}

/** A field holding the id (or expanded object, or a list of them) of an object of `resource`. */
export interface ResourceLink {
  field: string;
  /** The linked resource's `name` (by name: modules link both ways, charges ↔ payment intents). */
  resource: string;
}

/** Stripe fields that are either an id or an expanded object: keep the id. */
export function idOf(value: string | { id: string } | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : value.id;
}

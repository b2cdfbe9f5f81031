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

/**
 * One Stripe resource we import: the same small interface for every one of them, listed in
 * `registry.ts`. Backfill, refresh and event handling go through this interface only.
 */
export interface ResourceModule<T extends { id: string } = { id: string }> {
  /** Plural name used in status, CLI and table names, for example `charges`. */
  name: string;
  /** Stripe's `object` value, for example `charge`. */
  objectType: string;
  table: string;
  /** Stripe App manifest permission that reading it needs. */
  permission: string;
  list(stripe: Stripe, params: ListParams): Promise<StripePage<T>>;
  retrieve(stripe: Stripe, id: string): Promise<T>;
}

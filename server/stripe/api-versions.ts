import { STRIPE_API_VERSION } from './client.js';

/** `2024-06-20` and `2026-10-28.endive` compare by their dates. */
const dateOf = (version: string) => version.slice(0, 10);

/**
 * Documented changes, between an older API version and ours, to a field we store in a column (or
 * follow, like a payment intent's charge). An event rendered before such a change cannot be
 * stored as it is: the object is fetched in our version at once. Every other payload in an older
 * version is stored as Stripe sent it and fetched again later, lazily (version-refresh.ts).
 */
const STORED_FIELD_CHANGES: readonly { before: string; objectType: string; fields: readonly string[]; doc: string }[] = [
  {
    before: '2022-11-15',
    objectType: 'payment_intent',
    fields: ['latest_charge'],
    doc: 'https://docs.stripe.com/changelog/2022-11-15/removes-charges-attribute-paymentintent',
  },
  {
    before: '2015-08-19',
    objectType: 'balance_transaction',
    fields: ['source'],
    doc: 'https://docs.stripe.com/changelog/2015-08-19/balance-transactions-refunds-disputes-specify-source',
  },
  {
    before: '2014-08-20',
    objectType: 'dispute',
    fields: ['status', 'balance_transactions'],
    doc: 'https://docs.stripe.com/changelog/2014-08-20/disputes-provide-several-new-statuses',
  },
];

/** How an object rendered in `version` may be stored. */
export function versionHandling(objectType: string, version: string | null | undefined): 'ours' | 'fetch_now' | 'store_then_refresh' {
  if (!version || version === STRIPE_API_VERSION) return 'ours';
  // A version newer than ours: what changed is unknown to us, so nothing in it is trusted.
  if (dateOf(version) > dateOf(STRIPE_API_VERSION)) return 'fetch_now';
  const differs = STORED_FIELD_CHANGES.some((c) => c.objectType === objectType && dateOf(version) < c.before);
  return differs ? 'fetch_now' : 'store_then_refresh';
}

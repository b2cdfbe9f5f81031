import type { StripeObject } from './collection.js';
import type { EmulatorState, Mode } from './state.js';

/** `2024-06-20` and `2026-10-28.endive` compare by their dates. */
export const versionDate = (version: string) => version.slice(0, 10);

/**
 * Stripe renders an event in the API version that was the account's default when the event was
 * created (Events API: "Events render in the API version they were created with"). These are the
 * documented changes, between such a version and ours, of fields the product stores or follows:
 * an object in an older version is reshaped the way Stripe's changelog says it was then.
 */
const CHANGES: {
  before: string;
  type: string;
  doc: string;
  render: (o: StripeObject, ctx: { state: EmulatorState; account: string; mode: Mode }) => void;
}[] = [
  {
    // "Removes the charges property on the PaymentIntent object. Use the latest_charge property instead."
    before: '2022-11-15',
    type: 'payment_intent',
    doc: 'https://docs.stripe.com/changelog/2022-11-15/removes-charges-attribute-paymentintent',
    render: (o, { state, account, mode }) => {
      const charges = state
        .collection(account, mode, 'charge')
        .entries()
        .map((e) => e.object)
        .filter((c) => c.payment_intent === o.id);
      o.charges = {
        object: 'list',
        data: structuredClone(charges),
        has_more: false,
        total_count: charges.length,
        url: `/v1/charges?payment_intent=${o.id}`,
      };
      delete o.latest_charge;
    },
  },
  {
    // "The Charges object no longer auto-expands refunds by default" (so older versions carry them).
    before: '2022-11-15',
    type: 'charge',
    doc: 'https://docs.stripe.com/changelog/2022-11-15/deprecates-charges-auto-expand',
    render: (o, { state, account, mode }) => {
      const refunds = state
        .collection(account, mode, 'refund')
        .entries()
        .map((e) => e.object)
        .filter((r) => r.charge === o.id);
      o.refunds = {
        object: 'list',
        data: structuredClone(refunds),
        has_more: false,
        total_count: refunds.length,
        url: `/v1/charges/${o.id}/refunds`,
      };
    },
  },
];

/** `object` (already a copy) as Stripe renders it in `version`. */
export function renderIn(object: StripeObject, version: string, ctx: { state: EmulatorState; account: string; mode: Mode }): StripeObject {
  for (const change of CHANGES) {
    if (object.object === change.type && versionDate(version) < change.before) change.render(object, ctx);
  }
  return object;
}

import type Stripe from 'stripe';
import type { ResourceModule } from './resource.js';

export const payouts: ResourceModule<Stripe.Payout> = {
  name: 'payouts',
  objectType: 'payout',
  table: 'payouts',
  permission: 'payout_read',
  list: (stripe, params) => stripe.payouts.list(params),
  retrieve: (stripe, id) => stripe.payouts.retrieve(id),
};

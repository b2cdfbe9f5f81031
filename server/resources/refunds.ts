import type Stripe from 'stripe';
import type { ResourceModule } from './resource.js';

export const refunds: ResourceModule<Stripe.Refund> = {
  name: 'refunds',
  objectType: 'refund',
  table: 'refunds',
  permission: 'charge_read',
  list: (stripe, params) => stripe.refunds.list(params),
  retrieve: (stripe, id) => stripe.refunds.retrieve(id),
};

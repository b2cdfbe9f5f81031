import type Stripe from 'stripe';
import type { ResourceModule } from './resource.js';

export const disputes: ResourceModule<Stripe.Dispute> = {
  name: 'disputes',
  objectType: 'dispute',
  table: 'disputes',
  permission: 'dispute_read',
  list: (stripe, params) => stripe.disputes.list(params),
  retrieve: (stripe, id) => stripe.disputes.retrieve(id),
};

import type Stripe from 'stripe';
import type { ResourceModule } from './resource.js';

export const charges: ResourceModule<Stripe.Charge> = {
  name: 'charges',
  objectType: 'charge',
  table: 'charges',
  permission: 'charge_read',
  list: (stripe, params) => stripe.charges.list(params),
  retrieve: (stripe, id) => stripe.charges.retrieve(id),
};

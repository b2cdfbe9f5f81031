import type Stripe from 'stripe';
import type { ResourceModule } from './resource.js';

export const paymentIntents: ResourceModule<Stripe.PaymentIntent> = {
  name: 'payment_intents',
  objectType: 'payment_intent',
  table: 'payment_intents',
  permission: 'payment_intent_read',
  list: (stripe, params) => stripe.paymentIntents.list(params),
  retrieve: (stripe, id) => stripe.paymentIntents.retrieve(id),
};

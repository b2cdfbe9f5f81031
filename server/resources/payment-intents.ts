import type Stripe from 'stripe';
import { EVENT_GROUPS } from '../../shared/event-types.js';
import { idOf, type ResourceModule } from './resource.js';

export const paymentIntents: ResourceModule<Stripe.PaymentIntent> = {
  name: 'payment_intents',
  objectType: 'payment_intent',
  table: 'payment_intents',
  permission: 'payment_intent_read',
  eventTypes: EVENT_GROUPS['Payment intent'],
  links: [],
  list: (stripe, params) => stripe.paymentIntents.list(params),
  retrieve: (stripe, id) => stripe.paymentIntents.retrieve(id),
  toRow: (p) => ({
    amount: p.amount,
    currency: p.currency,
    amount_received: p.amount_received,
    status: p.status,
    customer: idOf(p.customer),
    latest_charge: idOf(p.latest_charge),
    canceled_at: p.canceled_at,
  }),
};

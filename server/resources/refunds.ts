import type Stripe from 'stripe';
import { EVENT_GROUPS } from '../../shared/event-types.js';
import { idOf, type ResourceModule } from './resource.js';

export const refunds: ResourceModule<Stripe.Refund> = {
  name: 'refunds',
  objectType: 'refund',
  table: 'refunds',
  permission: 'charge_read',
  eventTypes: [...EVENT_GROUPS.Refund, 'charge.refund.updated'],
  links: [
    { field: 'charge', resource: 'charges' },
    { field: 'balance_transaction', resource: 'balance_transactions' },
  ],
  list: (stripe, params) => stripe.refunds.list(params),
  retrieve: (stripe, id) => stripe.refunds.retrieve(id),
  toRow: (r) => ({
    amount: r.amount,
    currency: r.currency,
    status: r.status,
    reason: r.reason,
    charge: idOf(r.charge),
    payment_intent: idOf(r.payment_intent),
    balance_transaction: idOf(r.balance_transaction),
  }),
};

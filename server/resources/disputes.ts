import type Stripe from 'stripe';
import { EVENT_GROUPS } from '../../shared/event-types.js';
import { idOf, type ResourceModule } from './resource.js';

export const disputes: ResourceModule<Stripe.Dispute> = {
  name: 'disputes',
  objectType: 'dispute',
  table: 'disputes',
  permission: 'dispute_read',
  eventTypes: EVENT_GROUPS.Charge.filter((t) => t.startsWith('charge.dispute.')),
  links: [
    { field: 'charge', resource: 'charges' },
    { field: 'balance_transactions', resource: 'balance_transactions' },
  ],
  list: (stripe, params) => stripe.disputes.list(params),
  retrieve: (stripe, id) => stripe.disputes.retrieve(id),
  toRow: (d) => ({
    amount: d.amount,
    currency: d.currency,
    status: d.status,
    reason: d.reason,
    charge: idOf(d.charge)!,
    payment_intent: idOf(d.payment_intent),
    is_charge_refundable: d.is_charge_refundable,
  }),
};

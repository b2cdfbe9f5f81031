import type Stripe from 'stripe';
import { EVENT_GROUPS } from '../../shared/event-types.js';
import { idOf, type ResourceModule } from './resource.js';

export const charges: ResourceModule<Stripe.Charge> = {
  name: 'charges',
  objectType: 'charge',
  table: 'charges',
  permission: 'charge_read',
  eventTypes: EVENT_GROUPS.Charge.filter((t) => !t.startsWith('charge.dispute.') && t !== 'charge.refund.updated'),
  links: [
    { field: 'payment_intent', resource: 'payment_intents' },
    { field: 'balance_transaction', resource: 'balance_transactions' },
  ],
  list: (stripe, params) => stripe.charges.list(params),
  retrieve: (stripe, id) => stripe.charges.retrieve(id),
  toRow: (c) => ({
    amount: c.amount,
    currency: c.currency,
    amount_captured: c.amount_captured,
    amount_refunded: c.amount_refunded,
    status: c.status,
    paid: c.paid,
    captured: c.captured,
    refunded: c.refunded,
    disputed: c.disputed,
    payment_intent: idOf(c.payment_intent),
    customer: idOf(c.customer),
    balance_transaction: idOf(c.balance_transaction),
    failure_code: c.failure_code,
    outcome_type: c.outcome?.type ?? null,
    payment_method_type: c.payment_method_details?.type ?? null,
  }),
};

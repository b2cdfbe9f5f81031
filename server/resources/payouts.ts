import type Stripe from 'stripe';
import { EVENT_GROUPS } from '../../shared/event-types.js';
import { idOf, type ResourceModule } from './resource.js';

export const payouts: ResourceModule<Stripe.Payout> = {
  name: 'payouts',
  objectType: 'payout',
  table: 'payouts',
  permission: 'payout_read',
  eventTypes: EVENT_GROUPS.Payout,
  links: [{ field: 'balance_transaction', resource: 'balance_transactions' }],
  list: (stripe, params) => stripe.payouts.list(params),
  retrieve: (stripe, id) => stripe.payouts.retrieve(id),
  toRow: (p) => ({
    amount: p.amount,
    currency: p.currency,
    status: p.status,
    arrival_date: p.arrival_date,
    automatic: p.automatic,
    method: p.method,
    type: p.type,
    balance_transaction: idOf(p.balance_transaction),
    failure_code: p.failure_code,
    reconciliation_status: p.reconciliation_status,
  }),
};

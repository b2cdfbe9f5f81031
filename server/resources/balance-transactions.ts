import type Stripe from 'stripe';
import { idOf, type ResourceModule } from './resource.js';

/**
 * Balance transactions have no events of their own: new ones are found by the backfill, fetched
 * when a charge, refund, dispute or payout event first points to one, and listed again (with
 * their payout) when a payout is paid or reconciled.
 */
export const balanceTransactions: ResourceModule<Stripe.BalanceTransaction> = {
  name: 'balance_transactions',
  objectType: 'balance_transaction',
  table: 'balance_transactions',
  permission: 'balance_transaction_source_read',
  eventTypes: [],
  links: [],
  list: (stripe, params) => stripe.balanceTransactions.list(params),
  retrieve: (stripe, id) => stripe.balanceTransactions.retrieve(id),
  toRow: (t) => ({
    amount: t.amount,
    currency: t.currency,
    fee: t.fee,
    net: t.net,
    type: t.type,
    reporting_category: t.reporting_category,
    status: t.status,
    source: idOf(t.source as string | { id: string } | null),
    available_on: t.available_on,
    exchange_rate: t.exchange_rate === null ? null : String(t.exchange_rate),
  }),
};

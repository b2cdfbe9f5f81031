import type Stripe from 'stripe';
import type { ResourceModule } from './resource.js';

export const balanceTransactions: ResourceModule<Stripe.BalanceTransaction> = {
  name: 'balance_transactions',
  objectType: 'balance_transaction',
  table: 'balance_transactions',
  permission: 'balance_transaction_source_read',
  list: (stripe, params) => stripe.balanceTransactions.list(params),
  retrieve: (stripe, id) => stripe.balanceTransactions.retrieve(id),
};

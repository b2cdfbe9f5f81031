import { balanceTransactions } from './balance-transactions.js';
import { charges } from './charges.js';
import { disputes } from './disputes.js';
import { earlyFraudWarnings } from './early-fraud-warnings.js';
import { paymentIntents } from './payment-intents.js';
import { payouts } from './payouts.js';
import type { ResourceModule } from './resource.js';
import { refunds } from './refunds.js';

/** Every resource we import, in the order a backfill starts them. */
export const RESOURCES: readonly ResourceModule[] = [
  charges,
  paymentIntents,
  refunds,
  disputes,
  payouts,
  balanceTransactions,
  earlyFraudWarnings,
] as readonly ResourceModule[];

export function resourceByName(name: string): ResourceModule | undefined {
  return RESOURCES.find((r) => r.name === name);
}

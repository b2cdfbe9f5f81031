import type { StripeObject } from './collection.js';
import type { EmulatorContext } from './context.js';
import { Merchant } from './merchant.js';
import * as payments from './payments.js';
import * as settlements from './settlements.js';
import { DATA_TYPES, type Mode } from './state.js';

export type ScenarioInput = Record<string, unknown> & { account: string; mode?: Mode; at?: number };

const str = (v: unknown, name: string): string => {
  if (typeof v !== 'string' || !v) throw new Error(`scenario needs "${name}"`);
  return v;
};

/**
 * Named operations that move money the way Stripe does, each creating the linked objects and
 * the events Stripe emits. The control API and tests call them by name.
 */
const SCENARIOS: Record<string, (m: Merchant, i: ScenarioInput, at: number) => unknown> = {
  payment: (m, i, at) =>
    payments.createPayment(m, {
      amount: Number(i.amount ?? 2000),
      at,
      outcome: (i.outcome as payments.PaymentOutcome | undefined) ?? 'succeeded',
      customer: (i.customer as string | undefined) ?? null,
      description: (i.description as string | undefined) ?? null,
    }),
  capture: (m, i, at) => payments.capturePayment(m, str(i.charge, 'charge'), at),
  settle: (m, i, at) => payments.settlePending(m, str(i.charge, 'charge'), at, i.succeed !== false),
  expire: (m, i, at) => payments.expireAuthorization(m, str(i.charge, 'charge'), at),
  cancel: (m, i, at) => payments.cancelPaymentIntent(m, str(i.payment_intent, 'payment_intent'), at),
  charge_update: (m, i, at) => payments.updateCharge(m, str(i.charge, 'charge'), at, String(i.description ?? 'updated')),
  refund: (m, i, at) =>
    payments.createRefund(m, str(i.charge, 'charge'), { at, amount: i.amount === undefined ? undefined : Number(i.amount) }),
  refund_fail: (m, i, at) => payments.failRefund(m, str(i.refund, 'refund'), at),
  dispute: (m, i, at) => settlements.createDispute(m, str(i.charge, 'charge'), at, String(i.reason ?? 'fraudulent')),
  dispute_update: (m, i, at) => settlements.updateDispute(m, str(i.dispute, 'dispute'), at),
  dispute_close: (m, i, at) => settlements.closeDispute(m, str(i.dispute, 'dispute'), i.won === true, at),
  payout: (m, i, at) => settlements.createPayout(m, at, true, { manual: i.manual === true }),
  payout_paid: (m, i, at) => settlements.payoutPaid(m, str(i.payout, 'payout'), at),
  payout_reconciled: (m, i, at) => settlements.payoutReconciled(m, str(i.payout, 'payout'), at),
  payout_failed: (m, i, at) => settlements.payoutFailed(m, str(i.payout, 'payout'), at),
  payout_canceled: (m, i, at) => settlements.payoutCanceled(m, str(i.payout, 'payout'), at),
  early_fraud_warning: (m, i, at) => settlements.createEarlyFraudWarning(m, str(i.charge, 'charge'), at),
  early_fraud_warning_update: (m, i, at) => settlements.updateEarlyFraudWarning(m, str(i.early_fraud_warning, 'early_fraud_warning'), at),
};

export const scenarioNames = Object.keys(SCENARIOS);

export function runScenario(ctx: EmulatorContext, name: string, input: ScenarioInput): unknown {
  const scenario = SCENARIOS[name];
  if (!scenario) throw new Error(`unknown scenario "${name}"; known: ${scenarioNames.join(', ')}`);
  if (!ctx.state.accounts.has(input.account)) throw new Error(`unknown account ${input.account}`);
  const merchant = new Merchant(ctx.state, ctx.bus, input.account, input.mode ?? 'test');
  return scenario(merchant, input, input.at ?? ctx.state.now());
}

/** Ground truth: every object of every type in one account and mode, as it is now. */
export function truth(ctx: EmulatorContext, account: string, mode: Mode): Record<string, StripeObject[]> {
  return Object.fromEntries(DATA_TYPES.map((t) => [t, ctx.state.collection(account, mode, t).all()]));
}

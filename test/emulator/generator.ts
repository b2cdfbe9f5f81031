import type { EventBus } from './events.js';
import { Merchant } from './merchant.js';
import { createPayment, createRefund } from './payments.js';
import { closeDispute, createDispute, createEarlyFraudWarning, createPayout, payoutPaid, payoutReconciled } from './settlements.js';
import type { EmulatorState, Mode, ResourceType } from './state.js';

const DAY = 86400;
const EVENT_RETENTION = 30 * DAY;

export interface GenerateOptions {
  account: string;
  mode: Mode;
  /** Payments (payment intents, most with a charge) spread over `days`. */
  payments: number;
  days?: number;
  /** Payments that share one `created` second, in the middle of the range. */
  burst?: number;
  refundRate?: number;
  disputeRate?: number;
  fraudWarningRate?: number;
  failureRate?: number;
  /** Daily automatic payouts (default true). */
  payouts?: boolean;
  /** A growing business: payments get denser towards now (density rising linearly). */
  growth?: boolean;
}

type Op = { at: number; run: (emit: boolean, at: number) => void };

/**
 * Deterministic history for one account: payments with fees, refunds, disputes (some won),
 * early fraud warnings and daily payouts that settle what became available. Operations run in
 * time order; those within Stripe's 30-day event retention also leave their events behind.
 */
export function generate(state: EmulatorState, bus: EventBus, o: GenerateOptions): Record<string, number> {
  const m = new Merchant(state, bus, o.account, o.mode, false);
  const { random } = state;
  const now = state.now();
  const days = o.days ?? 90;
  const start = now - days * DAY;
  const customers = Array.from({ length: Math.max(5, Math.ceil(o.payments / 8)) }, () => random.id('cus_'));
  const ops: Op[] = [];
  let running = false;
  const later = (at: number, run: Op['run']) => {
    if (at >= now - 5) return;
    if (!running) return void ops.push({ at, run });
    // Keep the queue sorted while it runs: binary insertion after equal times.
    let lo = 0;
    let hi = ops.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ops[mid]!.at <= at) lo = mid + 1;
      else hi = mid;
    }
    ops.splice(lo, 0, { at, run });
  };

  const burstAt = start + Math.floor(days / 2) * DAY + 43_200;
  for (let i = 0; i < o.payments; i++) {
    const at = i < (o.burst ?? 0) ? burstAt
      : o.growth ? start + Math.floor((now - 600 - start) * Math.sqrt(random.next())) : random.int(start, now - 600);
    const failed = random.chance(o.failureRate ?? 0.08);
    const refund = !failed && random.chance(o.refundRate ?? 0.12);
    const disputed = !failed && !refund && random.chance(o.disputeRate ?? 0.02);
    const warned = !failed && random.chance(o.fraudWarningRate ?? 0.01);
    const amount = random.pick([500, 1000, 1999, 2500, 4900, 9900, 12000, 25000]) + random.int(0, 99);
    const partial = random.chance(0.3);
    const won = random.chance(0.4);
    const brand = random.pick(['visa', 'mastercard', 'amex']);
    const customer = random.pick(customers);
    ops.push({
      at,
      run: (emit) => {
        const { charge } = createPayment(m, { amount, at, outcome: failed ? 'failed' : 'succeeded', customer, brand,
          last4: String(random.int(1000, 9999)), description: `Order #${i + 1}` }, emit);
        if (!charge || failed) return;
        if (refund) {
          later(at + random.int(3600, 10 * DAY), (e, t) => createRefund(m, charge.id, { at: t, amount: partial ? Math.floor(amount / 2) : undefined }, e));
        }
        if (disputed) {
          later(at + random.int(DAY, 20 * DAY), (e, t) => {
            const dp = createDispute(m, charge.id, t, 'fraudulent', e);
            later(t + random.int(5 * DAY, 30 * DAY), (e2, t2) => closeDispute(m, dp.id, won, t2, e2));
          });
        }
        if (warned) later(at + random.int(DAY, 10 * DAY), (e, t) => createEarlyFraudWarning(m, charge.id, t, e));
      },
    });
  }
  if (o.payouts !== false) {
    for (let d = Math.floor(start / DAY) + 1; d * DAY < now; d++) {
      const at = d * DAY + 6 * 3600;
      later(at, (emit) => {
        const po = createPayout(m, at, emit);
        if (!po) return;
        later(po.arrival_date as number, (e, t) => {
          payoutPaid(m, po.id, t, e);
          later(t + 3600, (e2, t2) => payoutReconciled(m, po.id, t2, e2));
        });
      });
    }
  }

  // Run in time order; operations schedule follow-ups (refunds, closings) into the same queue.
  ops.sort((a, b) => a.at - b.at);
  running = true;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    op.run(op.at >= now - EVENT_RETENTION, op.at);
  }
  ops.length = 0;
  return counts(state, o.account, o.mode);
}

const COUNTED: ResourceType[] = ['charge', 'payment_intent', 'refund', 'dispute', 'payout', 'balance_transaction', 'radar.early_fraud_warning', 'event'];

export function counts(state: EmulatorState, account: string, mode: Mode): Record<string, number> {
  return Object.fromEntries(COUNTED.map((t) => [t, state.collection(account, mode, t).size]));
}

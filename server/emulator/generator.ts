import type { EventBus } from './events.js';
import { Merchant } from './merchant.js';
import { createPayment, createRefund } from './payments.js';
import { closeDispute, createDispute, createEarlyFraudWarning, createPayout, payoutPaid, payoutReconciled } from './settlements.js';
import { DATA_TYPES, type EmulatorState, type Mode } from './state.js';

const DAY = 86400;
const EVENT_RETENTION = 30 * DAY;

export interface GenerateOptions {
  account: string;
  mode: Mode;
  /** Payments (payment intents, most with a charge) spread over `days`. */
  payments: number;
  days?: number;
  /** Payments that share one `created` second (Stripe lists then need cursors inside a second). */
  burst?: number;
  /** How many such seconds (default 1): in the middle of the range, or with `shape: 'established'`
   *  at random times in the last 90 days. */
  bursts?: number;
  refundRate?: number;
  disputeRate?: number;
  fraudWarningRate?: number;
  failureRate?: number;
  /** Daily automatic payouts (default true). */
  payouts?: boolean;
  /** How payments spread over `days`: `even`; `growing` (density rising linearly); `established`,
   *  a merchant of some years: density doubling about every five months, so the early years are
   *  sparse and the last months dense. Default `even` (`growth: true` means `growing`). */
  shape?: 'even' | 'growing' | 'established';
  growth?: boolean;
  /** The currency of these payments, fees and payouts (default: the account's). Stripe settles and pays out each currency apart. */
  currency?: string;
  /** Unix seconds of one lone payment (with its payout) long before the rest, e.g. in 2015. */
  ancient?: number;
}

type Op = { at: number; run: (emit: boolean, at: number) => void };

/**
 * Deterministic history for one account: payments with fees, refunds, disputes (some won),
 * early fraud warnings and daily payouts that settle what became available. Operations run in
 * time order; those within Stripe's 30-day event retention also leave their events behind.
 */
export function generate(state: EmulatorState, bus: EventBus, o: GenerateOptions): Record<string, number> {
  const m = new Merchant(state, bus, o.account, o.mode, false, o.currency);
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

  const shape = o.shape ?? (o.growth ? 'growing' : 'even');
  const span = now - 600 - start;
  // Established: an exponential density with time constant span/5 (e^-5 of today's at the start).
  const tau = span / 5;
  const when = () =>
    shape === 'growing'
      ? start + Math.floor(span * Math.sqrt(random.next()))
      : shape === 'established'
        ? now - 600 - Math.floor(-tau * Math.log(1 - random.next() * (1 - Math.exp(-span / tau))))
        : random.int(start, now - 600);
  const burstSeconds = Array.from({ length: o.burst ? (o.bursts ?? 1) : 0 }, (_, k) =>
    shape === 'established' ? now - random.int(DAY, 90 * DAY) : start + Math.floor(days / 2) * DAY + 43_200 + k * 3600,
  );
  const burstTotal = (o.burst ?? 0) * burstSeconds.length;
  const paymentCount = o.payments + (o.ancient === undefined ? 0 : 1);
  for (let i = 0; i < paymentCount; i++) {
    const at = i === o.payments ? o.ancient! : i < burstTotal ? burstSeconds[Math.floor(i / o.burst!)]! : when();
    // The lone ancient payment simply succeeds: one charge, payment intent and balance transaction.
    const lone = i === o.payments;
    const failed = !lone && random.chance(o.failureRate ?? 0.08);
    const refund = !lone && !failed && random.chance(o.refundRate ?? 0.12);
    const disputed = !lone && !failed && !refund && random.chance(o.disputeRate ?? 0.02);
    const warned = !lone && !failed && random.chance(o.fraudWarningRate ?? 0.01);
    const amount = random.pick([500, 1000, 1999, 2500, 4900, 9900, 12000, 25000]) + random.int(0, 99);
    const partial = random.chance(0.3);
    const won = random.chance(0.4);
    const brand = random.pick(['visa', 'mastercard', 'amex']);
    const customer = random.pick(customers);
    ops.push({
      at,
      run: (emit) => {
        const { charge } = createPayment(
          m,
          {
            amount,
            at,
            outcome: failed ? 'failed' : 'succeeded',
            customer,
            brand,
            last4: String(random.int(1000, 9999)),
            description: `Order #${i + 1}`,
          },
          emit,
        );
        if (!charge || failed) return;
        if (refund) {
          later(at + random.int(3600, 10 * DAY), (e, t) =>
            createRefund(m, charge.id, { at: t, amount: partial ? Math.floor(amount / 2) : undefined }, e),
          );
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
    const payoutOn = (day: number) => {
      const at = day * DAY + 6 * 3600;
      later(at, (emit) => {
        const po = createPayout(m, at, emit);
        if (!po) return;
        later(po.arrival_date as number, (e, t) => {
          payoutPaid(m, po.id, t, e);
          later(t + 3600, (e2, t2) => payoutReconciled(m, po.id, t2, e2));
        });
      });
    };
    for (let d = Math.floor(start / DAY) + 1; d * DAY < now; d++) payoutOn(d);
    if (o.ancient !== undefined && o.ancient < start) payoutOn(Math.floor(o.ancient / DAY) + 3);
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

export function counts(state: EmulatorState, account: string, mode: Mode): Record<string, number> {
  return Object.fromEntries(DATA_TYPES.map((t) => [t, state.collection(account, mode, t).size]));
}

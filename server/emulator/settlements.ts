import type { StripeObject } from './collection.js';
import { update } from './events.js';
import type { Merchant } from './merchant.js';
import * as objects from './objects.js';

const DAY = 86400;
const DISPUTE_FEE = 1500;

/** A cardholder disputes a charge: the amount and a dispute fee are withdrawn at once. */
export function createDispute(m: Merchant, chargeId: string, at: number, reason = 'fraudulent', emit = true): StripeObject {
  const ch = m.get('charge', chargeId);
  const id = m.id('dp_');
  const amount = ch.amount as number;
  const txn = m.transaction({
    at,
    amount: -amount,
    fee: DISPUTE_FEE,
    type: 'adjustment',
    category: 'dispute',
    source: id,
    description: `Chargeback withdrawal for ${chargeId}`,
    availableOn: at,
  });
  const dp = m.insert(
    'dispute',
    objects.dispute({
      id,
      created: at,
      livemode: m.livemode,
      amount,
      currency: ch.currency as string,
      charge: chargeId,
      paymentIntent: ch.payment_intent as string | null,
      reason,
      status: 'needs_response',
      balanceTransactions: [structuredClone(txn)],
    }),
  );
  m.emit('charge.dispute.created', dp, at, emit);
  m.emit('charge.dispute.funds_withdrawn', dp, at, emit);
  m.emit('charge.updated', ch, at, emit, update(ch, { disputed: true }));
  return dp;
}

export function updateDispute(m: Merchant, disputeId: string, at: number, emit = true): StripeObject {
  const dp = m.get('dispute', disputeId);
  const evidenceDetails = { ...(dp.evidence_details as Record<string, unknown>), has_evidence: true, submission_count: 1 };
  m.emit('charge.dispute.updated', dp, at, emit, update(dp, { status: 'under_review', evidence_details: evidenceDetails }));
  return dp;
}

/** Closes a dispute; a won dispute gives the amount and the fee back. */
export function closeDispute(m: Merchant, disputeId: string, won: boolean, at: number, emit = true): StripeObject {
  const dp = m.get('dispute', disputeId);
  const changes: Record<string, unknown> = { status: won ? 'won' : 'lost' };
  if (won) {
    const txn = m.transaction({
      at,
      amount: dp.amount as number,
      fee: -DISPUTE_FEE,
      type: 'adjustment',
      category: 'dispute_reversal',
      source: disputeId,
      description: `Chargeback reversal for ${String(dp.charge)}`,
      availableOn: at,
    });
    changes.balance_transactions = [...(dp.balance_transactions as unknown[]), structuredClone(txn)];
  }
  const previous = update(dp, changes);
  m.emit('charge.dispute.closed', dp, at, emit, previous);
  if (won) m.emit('charge.dispute.funds_reinstated', dp, at, emit);
  return dp;
}

/**
 * A payout of everything available in the merchant's currency and not yet paid out (Stripe pays
 * out each currency apart). Automatic payouts settle those
 * transactions (`GET /v1/balance_transactions?payout=` lists them). A manual payout (one the
 * merchant sends, `automatic: false`) is a withdrawal of an amount: Stripe links nothing to it but
 * its own transaction, and refuses the `payout` filter for it.
 */
export function createPayout(m: Merchant, at: number, emit = true, options: { manual?: boolean } = {}): StripeObject | null {
  const settled: StripeObject[] = [];
  let total = 0;
  for (const txn of m.state.collection(m.account, m.mode, 'balance_transaction').all()) {
    if (txn.created > at) break;
    if ((txn.available_on as number) > at || m.settledBy.has(txn.id) || txn.type === 'payout' || txn.currency !== m.currency) continue;
    settled.push(txn);
    total += txn.net as number;
  }
  if (total <= 0) return null;
  const id = m.id('po_');
  const txn = m.transaction({
    at,
    amount: -total,
    fee: 0,
    type: 'payout',
    category: 'payout',
    source: id,
    description: 'STRIPE PAYOUT',
    availableOn: at,
  });
  if (!options.manual) for (const t of [...settled, txn]) m.settledBy.set(t.id, id);
  const po = m.insert(
    'payout',
    objects.payout({
      id,
      created: at,
      livemode: m.livemode,
      amount: total,
      currency: m.currency,
      arrivalDate: Math.floor((at + 2 * DAY) / DAY) * DAY,
      balanceTransaction: txn.id,
      status: 'pending',
      automatic: !options.manual,
    }),
  );
  m.emit('payout.created', po, at, emit);
  return po;
}

export function payoutPaid(m: Merchant, payoutId: string, at: number, emit = true): StripeObject {
  const po = m.get('payout', payoutId);
  const previous = update(po, { status: 'paid', trace_id: { status: 'supported', value: `TRACE${payoutId.slice(-8).toUpperCase()}` } });
  m.emit('payout.updated', po, at, emit, previous);
  m.emit('payout.paid', po, at, emit);
  return po;
}

export function payoutReconciled(m: Merchant, payoutId: string, at: number, emit = true): StripeObject {
  const po = m.get('payout', payoutId);
  m.emit('payout.reconciliation_completed', po, at, emit, update(po, { reconciliation_status: 'completed' }));
  return po;
}

/** The bank returns a payout: its amount comes back to the balance. */
export function payoutFailed(m: Merchant, payoutId: string, at: number, emit = true): StripeObject {
  const po = m.get('payout', payoutId);
  const txn = m.transaction({
    at,
    amount: po.amount as number,
    fee: 0,
    type: 'payout_failure',
    category: 'payout_reversal',
    source: payoutId,
    description: 'PAYOUT FAILURE',
    availableOn: at,
  });
  const previous = update(po, {
    status: 'failed',
    failure_code: 'account_closed',
    failure_balance_transaction: txn.id,
    failure_message: 'The bank account has been closed.',
  });
  m.emit('payout.updated', po, at, emit, previous);
  m.emit('payout.failed', po, at, emit);
  return po;
}

export function payoutCanceled(m: Merchant, payoutId: string, at: number, emit = true): StripeObject {
  const po = m.get('payout', payoutId);
  const txn = m.transaction({
    at,
    amount: po.amount as number,
    fee: 0,
    type: 'payout_cancel',
    category: 'payout_reversal',
    source: payoutId,
    description: 'PAYOUT CANCELED',
    availableOn: at,
  });
  const previous = update(po, { status: 'canceled', failure_balance_transaction: txn.id });
  m.emit('payout.updated', po, at, emit, previous);
  m.emit('payout.canceled', po, at, emit);
  return po;
}

export function createEarlyFraudWarning(m: Merchant, chargeId: string, at: number, emit = true): StripeObject {
  const efw = m.insert(
    'radar.early_fraud_warning',
    objects.earlyFraudWarning({
      id: m.id('issfr_'),
      created: at,
      livemode: m.livemode,
      charge: chargeId,
      fraudType: m.state.random.pick(['unauthorized_use_of_card', 'card_never_received', 'misc']),
    }),
  );
  m.emit('radar.early_fraud_warning.created', efw, at, emit);
  return efw;
}

export function updateEarlyFraudWarning(m: Merchant, efwId: string, at: number, emit = true): StripeObject {
  const efw = m.get('radar.early_fraud_warning', efwId);
  m.emit('radar.early_fraud_warning.updated', efw, at, emit, update(efw, { actionable: false }));
  return efw;
}

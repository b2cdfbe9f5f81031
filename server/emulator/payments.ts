import type { StripeObject } from './collection.js';
import { update } from './events.js';
import { cardFee, type Merchant } from './merchant.js';
import * as objects from './objects.js';

export type PaymentOutcome = 'succeeded' | 'failed' | 'requires_capture' | 'processing' | 'requires_action' | 'partially_funded';

export interface PaymentInput {
  amount: number;
  at: number;
  outcome?: PaymentOutcome;
  customer?: string | null;
  description?: string | null;
  brand?: string;
  last4?: string;
  country?: string;
}

const DECLINE = { code: 'card_declined', message: 'Your card was declined.' };

/** A payment intent and, unless it stops before confirmation, its charge and balance transaction. */
export function createPayment(m: Merchant, p: PaymentInput, emit = true): { paymentIntent: StripeObject; charge: StripeObject | null } {
  const outcome = p.outcome ?? 'succeeded';
  const piId = m.id('pi_');
  const base = {
    id: piId,
    created: p.at,
    livemode: m.livemode,
    amount: p.amount,
    currency: m.currency,
    customer: p.customer ?? null,
    description: p.description ?? null,
  };
  const pi = m.insert(
    'payment_intent',
    objects.paymentIntent({
      ...base,
      status: 'requires_payment_method',
      latestCharge: null,
      captureMethod: outcome === 'requires_capture' ? 'manual' : 'automatic',
    }),
  );
  m.emit('payment_intent.created', pi, p.at, emit);

  if (outcome === 'requires_action' || outcome === 'partially_funded') {
    const changes =
      outcome === 'requires_action'
        ? { status: 'requires_action', next_action: { type: 'use_stripe_sdk', use_stripe_sdk: {} } }
        : {
            status: 'requires_action',
            amount_received: Math.floor(p.amount / 2),
            payment_method_types: ['customer_balance'],
            next_action: { type: 'display_bank_transfer_instructions' },
          };
    const previous = update(pi, changes);
    m.emit(`payment_intent.${outcome}`, pi, p.at, emit, previous);
    return { paymentIntent: pi, charge: null };
  }

  const chargeId = m.id('ch_');
  const succeeded = outcome === 'succeeded' || outcome === 'requires_capture';
  const captured = outcome === 'succeeded';
  const txn = captured ? chargeTransaction(m, chargeId, p.amount, p.at, p.description ?? null) : null;
  const ch = m.insert(
    'charge',
    objects.charge({
      id: chargeId,
      created: p.at,
      livemode: m.livemode,
      amount: p.amount,
      currency: m.currency,
      status: succeeded ? 'succeeded' : outcome === 'processing' ? 'pending' : 'failed',
      captured,
      paymentIntent: piId,
      customer: p.customer ?? null,
      balanceTransaction: txn?.id ?? null,
      description: p.description ?? null,
      brand: p.brand ?? 'visa',
      last4: p.last4 ?? '4242',
      country: p.country ?? 'US',
      failure: outcome === 'failed' ? DECLINE : undefined,
    }),
  );
  const piChanges: Record<string, unknown> = { latest_charge: chargeId, payment_method: ch.payment_method };
  if (outcome === 'failed') {
    piChanges.status = 'requires_payment_method';
    piChanges.last_payment_error = {
      type: 'card_error',
      code: DECLINE.code,
      decline_code: 'generic_decline',
      message: DECLINE.message,
      charge: chargeId,
    };
    m.emit('charge.failed', ch, p.at, emit);
    m.emit('payment_intent.payment_failed', pi, p.at, emit, update(pi, piChanges));
  } else if (outcome === 'processing') {
    piChanges.status = 'processing';
    m.emit('charge.pending', ch, p.at, emit);
    m.emit('payment_intent.processing', pi, p.at, emit, update(pi, piChanges));
  } else if (outcome === 'requires_capture') {
    Object.assign(piChanges, { status: 'requires_capture', amount_capturable: p.amount });
    m.emit('charge.succeeded', ch, p.at, emit);
    m.emit('payment_intent.amount_capturable_updated', pi, p.at, emit, update(pi, piChanges));
  } else {
    Object.assign(piChanges, { status: 'succeeded', amount_received: p.amount });
    m.emit('charge.succeeded', ch, p.at, emit);
    m.emit('payment_intent.succeeded', pi, p.at, emit, update(pi, piChanges));
  }
  return { paymentIntent: pi, charge: ch };
}

function chargeTransaction(m: Merchant, chargeId: string, amount: number, at: number, description: string | null) {
  return m.transaction({ at, amount, fee: cardFee(amount), type: 'charge', category: 'charge', source: chargeId, description });
}

/** Captures an authorised charge (manual capture). */
export function capturePayment(m: Merchant, chargeId: string, at: number, emit = true): StripeObject {
  const ch = m.get('charge', chargeId);
  if (ch.captured) throw new Error(`charge ${chargeId} is already captured`);
  const txn = chargeTransaction(m, chargeId, ch.amount as number, at, ch.description as string | null);
  m.emit('charge.captured', ch, at, emit, update(ch, { captured: true, amount_captured: ch.amount, balance_transaction: txn.id }));
  const pi = m.get('payment_intent', ch.payment_intent as string);
  m.emit('payment_intent.succeeded', pi, at, emit, update(pi, { status: 'succeeded', amount_capturable: 0, amount_received: ch.amount }));
  return ch;
}

/** A pending (for example bank debit) payment clears, or fails. */
export function settlePending(m: Merchant, chargeId: string, at: number, succeed: boolean, emit = true): StripeObject {
  const ch = m.get('charge', chargeId);
  const pi = m.get('payment_intent', ch.payment_intent as string);
  if (succeed) {
    const txn = chargeTransaction(m, chargeId, ch.amount as number, at, ch.description as string | null);
    m.emit(
      'charge.succeeded',
      ch,
      at,
      emit,
      update(ch, { status: 'succeeded', paid: true, captured: true, amount_captured: ch.amount, balance_transaction: txn.id }),
    );
    m.emit('payment_intent.succeeded', pi, at, emit, update(pi, { status: 'succeeded', amount_received: ch.amount }));
  } else {
    m.emit('charge.failed', ch, at, emit, update(ch, { status: 'failed', failure_code: DECLINE.code, failure_message: DECLINE.message }));
    m.emit('payment_intent.payment_failed', pi, at, emit, update(pi, { status: 'requires_payment_method' }));
  }
  return ch;
}

/** An uncaptured authorisation lapses: the charge expires and its payment intent is canceled. */
export function expireAuthorization(m: Merchant, chargeId: string, at: number, emit = true): StripeObject {
  const ch = m.get('charge', chargeId);
  m.emit('charge.expired', ch, at, emit, update(ch, { status: 'failed', amount_refunded: ch.amount, refunded: true }));
  const pi = m.get('payment_intent', ch.payment_intent as string);
  m.emit(
    'payment_intent.canceled',
    pi,
    at,
    emit,
    update(pi, { status: 'canceled', canceled_at: at, cancellation_reason: 'automatic', amount_capturable: 0 }),
  );
  return ch;
}

export function cancelPaymentIntent(m: Merchant, piId: string, at: number, emit = true): StripeObject {
  const pi = m.get('payment_intent', piId);
  m.emit(
    'payment_intent.canceled',
    pi,
    at,
    emit,
    update(pi, { status: 'canceled', canceled_at: at, cancellation_reason: 'requested_by_customer', next_action: null }),
  );
  return pi;
}

/** Something about a charge changes that is not money (here: its description). */
export function updateCharge(m: Merchant, chargeId: string, at: number, description: string, emit = true): StripeObject {
  const ch = m.get('charge', chargeId);
  m.emit('charge.updated', ch, at, emit, update(ch, { description }));
  return ch;
}

/** Refunds part or all of a captured charge; the refund gets its own negative balance transaction. */
export function createRefund(
  m: Merchant,
  chargeId: string,
  input: { amount?: number; at: number; reason?: string | null },
  emit = true,
): StripeObject {
  const ch = m.get('charge', chargeId);
  const refundable = (ch.amount_captured as number) - (ch.amount_refunded as number);
  const amount = input.amount ?? refundable;
  if (amount <= 0 || amount > refundable) throw new Error(`charge ${chargeId} has ${refundable} left to refund, asked ${amount}`);
  const refundId = m.id('re_');
  const txn = m.transaction({
    at: input.at,
    amount: -amount,
    fee: 0,
    type: 'refund',
    category: 'refund',
    source: refundId,
    description: 'REFUND FOR CHARGE',
    availableOn: input.at,
  });
  const re = m.insert(
    'refund',
    objects.refund({
      id: refundId,
      created: input.at,
      amount,
      currency: ch.currency as string,
      charge: chargeId,
      paymentIntent: ch.payment_intent as string | null,
      balanceTransaction: txn.id,
      status: 'succeeded',
      reason: input.reason ?? null,
    }),
  );
  m.emit('refund.created', re, input.at, emit);
  const refunded = (ch.amount_refunded as number) + amount;
  m.emit('charge.refunded', ch, input.at, emit, update(ch, { amount_refunded: refunded, refunded: refunded === ch.amount_captured }));
  return re;
}

/** The bank rejects a refund: money comes back to the balance. */
export function failRefund(m: Merchant, refundId: string, at: number, emit = true): StripeObject {
  const re = m.get('refund', refundId);
  const txn = m.transaction({
    at,
    amount: re.amount as number,
    fee: 0,
    type: 'refund_failure',
    category: 'refund_failure',
    source: refundId,
    description: 'REFUND FAILURE',
    availableOn: at,
  });
  const previous = update(re, { status: 'failed', failure_balance_transaction: txn.id, failure_reason: 'expired_or_canceled_card' });
  // The fixture's refund has no failure fields; keep the served field set equal to Stripe's example.
  delete re.failure_balance_transaction;
  delete re.failure_reason;
  delete previous.failure_balance_transaction;
  delete previous.failure_reason;
  m.emit('refund.failed', re, at, emit, previous);
  m.emit('refund.updated', re, at, emit, previous);
  m.emit('charge.refund.updated', re, at, emit, previous);
  const ch = m.get('charge', re.charge as string);
  update(ch, { amount_refunded: (ch.amount_refunded as number) - (re.amount as number), refunded: false });
  return re;
}

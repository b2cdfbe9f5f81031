/**
 * The event types we subscribe to and handle: the seed's seven groups as Stripe offers them
 * today (36; the seed's 34 predate `payout.reconciliation_completed` and `refund.failed`).
 * `reporting.report_type.updated` reaches only endpoints that select it explicitly.
 */
export const EVENT_GROUPS = {
  Charge: [
    'charge.captured',
    'charge.expired',
    'charge.failed',
    'charge.pending',
    'charge.refunded',
    'charge.succeeded',
    'charge.updated',
    'charge.refund.updated',
    'charge.dispute.created',
    'charge.dispute.updated',
    'charge.dispute.closed',
    'charge.dispute.funds_withdrawn',
    'charge.dispute.funds_reinstated',
  ],
  File: ['file.created'],
  'Payment intent': [
    'payment_intent.created',
    'payment_intent.processing',
    'payment_intent.requires_action',
    'payment_intent.amount_capturable_updated',
    'payment_intent.partially_funded',
    'payment_intent.succeeded',
    'payment_intent.payment_failed',
    'payment_intent.canceled',
  ],
  Payout: ['payout.created', 'payout.updated', 'payout.paid', 'payout.failed', 'payout.canceled', 'payout.reconciliation_completed'],
  Radar: ['radar.early_fraud_warning.created', 'radar.early_fraud_warning.updated'],
  Refund: ['refund.created', 'refund.updated', 'refund.failed'],
  Reporting: ['reporting.report_run.succeeded', 'reporting.report_run.failed', 'reporting.report_type.updated'],
} as const;

export type EventGroup = keyof typeof EVENT_GROUPS;
export type SubscribedEventType = (typeof EVENT_GROUPS)[EventGroup][number];

export const SUBSCRIBED_EVENT_TYPES: readonly SubscribedEventType[] = Object.values(EVENT_GROUPS).flat();

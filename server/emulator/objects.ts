import { readFileSync } from 'node:fs';
import type { StripeObject } from './collection.js';

type Json = Record<string, unknown>;

/**
 * Stripe's own example objects (stripe/openapi fixtures3.json, copied from
 * shared/reference/stripe-fixtures.json). Every object the emulator serves starts as a copy of
 * the template for its type, so it carries exactly Stripe's field set; factories only override
 * values, and refuse fields the template does not have.
 */
const fixtures = JSON.parse(readFileSync(new URL('./stripe-fixtures.json', import.meta.url), 'utf8')) as {
  resources: Record<string, Json>;
};

export function template(type: string): Json {
  const t = fixtures.resources[type];
  if (!t) throw new Error(`no fixture for ${type}`);
  return structuredClone(t);
}

/** Fields Stripe documents as optional that the fixture happens to omit. */
const OPTIONAL_FIELDS: Record<string, string[]> = { event: ['account'] };

export function build(type: string, values: Json): StripeObject {
  const object = template(type);
  for (const [key, value] of Object.entries(values)) {
    if (!(key in object) && !OPTIONAL_FIELDS[type]?.includes(key)) throw new Error(`${type} has no field ${key}`);
    object[key] = value;
  }
  return object as StripeObject;
}

const cardDetails = (brand: string, last4: string, country: string) => {
  const details = template('charge').payment_method_details as Json;
  Object.assign(details.card as Json, { brand, last4, country, network: brand, fingerprint: `fp${last4}${brand}` });
  return details;
};

export interface ChargeInput {
  id: string;
  created: number;
  livemode: boolean;
  amount: number;
  currency: string;
  status: 'succeeded' | 'pending' | 'failed';
  captured: boolean;
  paymentIntent: string | null;
  customer: string | null;
  balanceTransaction: string | null;
  description: string | null;
  brand: string;
  last4: string;
  country: string;
  failure?: { code: string; message: string };
  riskLevel?: string;
}

export function charge(c: ChargeInput): StripeObject {
  const outcome =
    c.status === 'failed'
      ? {
          advice_code: 'try_again_later',
          network_advice_code: null,
          network_decline_code: null,
          network_status: 'declined_by_network',
          reason: 'generic_decline',
          seller_message: 'The bank did not return any further details with this decline.',
          type: 'issuer_declined',
        }
      : {
          advice_code: null,
          network_advice_code: null,
          network_decline_code: null,
          network_status: 'approved_by_network',
          reason: null,
          seller_message: 'Payment complete.',
          type: 'authorized',
        };
  return build('charge', {
    id: c.id,
    created: c.created,
    livemode: c.livemode,
    amount: c.amount,
    amount_captured: c.captured ? c.amount : 0,
    amount_refunded: 0,
    balance_transaction: c.balanceTransaction,
    billing_details: { ...(template('charge').billing_details as Json), name: null },
    calculated_statement_descriptor: 'PI DEMO',
    captured: c.captured,
    currency: c.currency,
    customer: c.customer,
    description: c.description,
    disputed: false,
    failure_code: c.failure?.code ?? null,
    failure_message: c.failure?.message ?? null,
    metadata: {},
    outcome: { ...outcome, ...(c.riskLevel ? { risk_level: c.riskLevel } : {}) },
    paid: c.status === 'succeeded',
    payment_intent: c.paymentIntent,
    payment_method: `pm_${c.id.slice(3)}`,
    payment_method_details: cardDetails(c.brand, c.last4, c.country),
    receipt_url: null,
    refunded: false,
    refunds: { data: [], has_more: false, object: 'list', url: `/v1/charges/${c.id}/refunds` },
    shipping: null,
    source: null,
    transfer_data: null,
    status: c.status,
  });
}

export function paymentIntent(p: {
  id: string;
  created: number;
  livemode: boolean;
  amount: number;
  currency: string;
  status: string;
  customer: string | null;
  latestCharge: string | null;
  description: string | null;
  captureMethod?: string;
}): StripeObject {
  return build('payment_intent', {
    id: p.id,
    created: p.created,
    livemode: p.livemode,
    amount: p.amount,
    amount_capturable: p.status === 'requires_capture' ? p.amount : 0,
    amount_details: { tip: {} },
    amount_received: p.status === 'succeeded' ? p.amount : 0,
    automatic_payment_methods: null,
    canceled_at: null,
    capture_method: p.captureMethod ?? 'automatic',
    client_secret: `${p.id}_secret_${p.id.slice(-10)}`,
    currency: p.currency,
    customer: p.customer,
    description: p.description,
    last_payment_error: null,
    latest_charge: p.latestCharge,
    managed_payments: null,
    metadata: {},
    next_action: null,
    payment_method: p.latestCharge ? `pm_${p.latestCharge.slice(3)}` : null,
    payment_method_configuration_details: null,
    payment_method_types: ['card'],
    processing: null,
    shipping: null,
    transfer_data: null,
    status: p.status,
  });
}

export function balanceTransaction(b: {
  id: string;
  created: number;
  availableOn: number;
  amount: number;
  fee: number;
  currency: string;
  type: string;
  reportingCategory: string;
  source: string | null;
  description: string | null;
  status?: string;
}): StripeObject {
  return build('balance_transaction', {
    id: b.id,
    created: b.created,
    available_on: b.availableOn,
    amount: b.amount,
    fee: b.fee,
    net: b.amount - b.fee,
    fee_details: b.fee
      ? [{ amount: b.fee, application: null, currency: b.currency, description: 'Stripe processing fees', type: 'stripe_fee' }]
      : [],
    currency: b.currency,
    description: b.description,
    reporting_category: b.reportingCategory,
    source: b.source,
    status: b.status ?? 'pending',
    type: b.type,
  });
}

export function refund(r: {
  id: string;
  created: number;
  amount: number;
  currency: string;
  charge: string;
  paymentIntent: string | null;
  balanceTransaction: string | null;
  status: string;
  reason: string | null;
}): StripeObject {
  return build('refund', {
    id: r.id,
    created: r.created,
    amount: r.amount,
    currency: r.currency,
    charge: r.charge,
    payment_intent: r.paymentIntent,
    balance_transaction: r.balanceTransaction,
    status: r.status,
    reason: r.reason,
    metadata: {},
  });
}

export function dispute(d: {
  id: string;
  created: number;
  livemode: boolean;
  amount: number;
  currency: string;
  charge: string;
  paymentIntent: string | null;
  reason: string;
  status: string;
  balanceTransactions: StripeObject[];
}): StripeObject {
  const evidenceDetails = { ...(template('dispute').evidence_details as Json), due_by: d.created + 7 * 86400 };
  return build('dispute', {
    id: d.id,
    created: d.created,
    livemode: d.livemode,
    amount: d.amount,
    currency: d.currency,
    charge: d.charge,
    payment_intent: d.paymentIntent,
    reason: d.reason,
    status: d.status,
    balance_transactions: d.balanceTransactions,
    evidence_details: evidenceDetails,
    is_charge_refundable: false,
    metadata: {},
  });
}

export function payout(p: {
  id: string;
  created: number;
  livemode: boolean;
  amount: number;
  currency: string;
  arrivalDate: number;
  balanceTransaction: string;
  status: string;
  automatic: boolean;
}): StripeObject {
  return build('payout', {
    id: p.id,
    created: p.created,
    livemode: p.livemode,
    amount: p.amount,
    currency: p.currency,
    arrival_date: p.arrivalDate,
    automatic: p.automatic,
    balance_transaction: p.balanceTransaction,
    destination: `ba_${p.id.slice(3)}`,
    metadata: {},
    reconciliation_status: p.automatic ? 'in_progress' : 'not_applicable',
    status: p.status,
    trace_id: { status: 'pending', value: null },
  });
}

export function earlyFraudWarning(e: { id: string; created: number; livemode: boolean; charge: string; fraudType: string }): StripeObject {
  return build('radar.early_fraud_warning', {
    id: e.id,
    created: e.created,
    livemode: e.livemode,
    charge: e.charge,
    fraud_type: e.fraudType,
    actionable: true,
  });
}

export function file(f: {
  id: string;
  created: number;
  size: number;
  purpose: string;
  type: string;
  filename: string;
  baseUrl: string;
}): StripeObject {
  return build('file', {
    id: f.id,
    created: f.created,
    expires_at: f.created + 90 * 86400,
    filename: f.filename,
    links: { data: [], has_more: false, object: 'list', url: `/v1/file_links?file=${f.id}` },
    purpose: f.purpose,
    size: f.size,
    title: null,
    type: f.type,
    url: `${f.baseUrl}/v1/files/${f.id}/contents`,
  });
}

export function account(a: {
  id: string;
  name: string;
  country: string;
  email: string;
  created: number | null;
  defaultCurrency: string;
}): StripeObject {
  const object = build('account', {
    id: a.id,
    country: a.country,
    email: a.email,
    created: a.created,
    default_currency: a.defaultCurrency,
    charges_enabled: true,
    payouts_enabled: true,
    details_submitted: true,
    external_accounts: { data: [], has_more: false, object: 'list', url: `/v1/accounts/${a.id}/external_accounts` },
  });
  if (a.created === null) Reflect.deleteProperty(object, 'created');
  (object.business_profile as Json).name = a.name;
  ((object.settings as Json).dashboard as Json).display_name = a.name;
  return object;
}

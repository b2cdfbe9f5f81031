import type { Request } from 'express';
import { errors } from './errors.js';
import type { EmulatorState, KeyRecord, Mode } from './state.js';

export interface Caller {
  key: KeyRecord;
  account: string;
  mode: Mode;
}

/** Which permission (Stripe App manifest names) each API path needs from a restricted key or token. */
const PERMISSIONS: [RegExp, string][] = [
  [/^\/v1\/(charges|refunds)\b/, 'charge_read'],
  [/^\/v1\/payment_intents\b/, 'payment_intent_read'],
  [/^\/v1\/disputes\b/, 'dispute_read'],
  [/^\/v1\/payouts\b/, 'payout_read'],
  [/^\/v1\/balance_transactions\b/, 'balance_transaction_source_read'],
  [/^\/v1\/balance\b/, 'balance_read'],
  [/^\/v1\/radar\/early_fraud_warnings\b/, 'review_read'],
  [/^\/v1\/files\b/, 'file_read'],
  [/^\/v1\/reporting\//, 'report_runs_and_report_types_read'],
  [/^\/v1\/events\b/, 'event_read'],
  [/^\/v1\/accounts?\b/, 'connected_account_read'],
];

export const ALL_PERMISSIONS = [...new Set(PERMISSIONS.map(([, p]) => p))];

export function permissionFor(path: string): string | undefined {
  return PERMISSIONS.find(([pattern]) => pattern.test(path))?.[1];
}

function bearer(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const [scheme, value] = header.split(' ');
  if (scheme?.toLowerCase() === 'bearer') return value;
  if (scheme?.toLowerCase() === 'basic' && value) return Buffer.from(value, 'base64').toString('utf8').split(':')[0];
  return undefined;
}

/**
 * Who is calling and on which account. Platform keys act on any account named by
 * `Stripe-Account`; other keys and OAuth tokens only on their own account. Livemode follows the key.
 */
export function authenticate(state: EmulatorState, req: Request): Caller {
  const key = bearer(req);
  if (!key) throw errors.noKey();
  const record = state.keys.get(key);
  if (!record || record.revoked) throw errors.invalidKey(key);
  if (record.expiresAt !== undefined && record.expiresAt <= state.now()) throw errors.expiredKey(key);
  const requested = req.headers['stripe-account'];
  let account = record.account;
  if (typeof requested === 'string' && requested !== record.account) {
    if (record.kind !== 'platform' || !state.accounts.has(requested)) throw errors.noAccountAccess(key, requested);
    account = requested;
  }
  const permission = permissionFor(req.path);
  if (record.permissions && permission && !record.permissions.has(permission)) {
    throw errors.permission(key, account, permission);
  }
  return { key: record, account, mode: record.mode };
}

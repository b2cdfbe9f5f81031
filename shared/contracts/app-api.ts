import { z } from 'zod';
import { REPORT_FAMILIES } from '../report-families.js';

/** What every `/api/app` request carries; `mode` is signed along with the two ids. */
export const appIdentity = z.object({
  user_id: z.string().regex(/^usr_[A-Za-z0-9]+$/, 'must be a Stripe user id'),
  account_id: z.string().regex(/^acct_[A-Za-z0-9]+$/, 'must be a Stripe account id'),
  mode: z.enum(['test', 'live']),
});
export type AppIdentity = z.infer<typeof appIdentity>;

/** The signed string: exactly this key order, as `fetchStripeSignature({mode})` signs it. */
export const signedPayload = (id: AppIdentity) => JSON.stringify({ user_id: id.user_id, account_id: id.account_id, mode: id.mode });

export const appSettings = z.object({
  reporting_timezone: z.string().min(1).max(64),
  history_since: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2025-01-31').nullable(),
  report_families: z.array(z.enum(REPORT_FAMILIES.map((f) => f.family) as [string, ...string[]])).min(1, 'choose at least one report'),
});
export type AppSettings = z.infer<typeof appSettings>;

export const insightsQuery = z.object({ days: z.coerce.number().int().min(1).max(365).default(30) });

export interface Insights {
  period: { from: string; to: string; days: number };
  freshness: { last_synced_at: string | null; last_event_at: string | null };
  payments: { attempted: number; succeeded: number; success_rate: number | null; top_decline_codes: { code: string; count: number }[] };
  refunds: { count: number; rate: number | null };
  disputes: { count: number; rate: number | null; early_fraud_warnings: number };
  fees: { volume: number; fees: number; share: number | null; currency: string | null };
  payouts: { upcoming: { id: string; amount: number; currency: string; arrival_date: string }[]; recent: { id: string; amount: number; currency: string; arrival_date: string; status: string }[] };
}

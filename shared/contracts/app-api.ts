import { z } from 'zod';
import { REPORT_FAMILIES } from '../report-families.js';

/** What every `/api/app` request carries; `mode` is signed along with the two ids. */
export const appIdentity = z.object({
  user_id: z.string().regex(/^usr_[A-Za-z0-9]+$/, 'must be a Stripe user id'),
  account_id: z.string().regex(/^acct_[A-Za-z0-9]+$/, 'must be a Stripe account id'),
  mode: z.enum(['test', 'live']),
});
export type AppIdentity = z.infer<typeof appIdentity>;

/**
 * What a signature binds besides the caller: the method, the target (path and query, without the
 * identity parameters, sorted) and the SHA-256 of the exact body sent ('' for GET), so a
 * signature taken from one request authorizes no other.
 */
export interface SignedRequest {
  method: string;
  path: string;
  body_sha256: string;
}

const IDENTITY_PARAMS = new Set(['user_id', 'account_id', 'mode']);

/** A request's target below `/api/app` as signed: `/insights?days=30`, the same text on both sides. */
export function signedTarget(url: string): string {
  const parsed = new URL(url, 'http://app.invalid');
  const rest: [string, string][] = [];
  parsed.searchParams.forEach((value, key) => {
    if (!IDENTITY_PARAMS.has(key)) rest.push([key, value]);
  });
  rest.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return rest.length ? `${parsed.pathname}?${new URLSearchParams(rest).toString()}` : parsed.pathname;
}

/**
 * The additional payload the app passes to `fetchStripeSignature`; Stripe signs
 * `{user_id, account_id, ...it}`, in this key order.
 */
export const signatureFields = (mode: AppIdentity['mode'], request: SignedRequest) => ({
  mode,
  method: request.method.toUpperCase(),
  path: request.path,
  body_sha256: request.body_sha256,
});

/** The signed string the backend rebuilds: exactly the key order Stripe signs. */
export const signedPayload = (id: AppIdentity, request: SignedRequest) =>
  JSON.stringify({ user_id: id.user_id, account_id: id.account_id, ...signatureFields(id.mode, request) });

/** True for a time zone this runtime knows (the IANA database, as `Intl` holds it). */
function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Why `history_since` cannot be used, or null when it is a real calendar date not in the future. */
export function historySinceProblem(value: string, now = Date.now()): string | null {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== value) return `"${value}" is not a calendar date like 2025-01-31`;
  if (ms > now) return `${value} is in the future`;
  return null;
}

export const appSettings = z.object({
  reporting_timezone: z.string().min(1).max(64).refine(isTimeZone, 'must be a time zone like Europe/Berlin'),
  history_since: z
    .string()
    .max(10, 'must be a date like 2025-01-31')
    .superRefine((v, ctx) => {
      const problem = historySinceProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .nullable(),
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
  /** Charge volume and its fees per settlement currency (minor units), largest volume first: every currency, none summed into another. */
  fees: { currency: string; volume: number; fees: number; share: number | null }[];
  /** One row per UTC day of the period, oldest first, days without payments included. */
  daily: { date: string; attempted: number; succeeded: number; success_rate: number | null; disputes: number }[];
  /** Succeeded charges' amount per UTC day and currency (minor units), oldest first. */
  daily_volume: { date: string; currency: string; amount: number }[];
  payouts: {
    upcoming: { id: string; amount: number; currency: string; arrival_date: string }[];
    recent: { id: string; amount: number; currency: string; arrival_date: string; status: string }[];
  };
}

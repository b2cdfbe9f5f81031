import Stripe from 'stripe';
import { RESOURCES } from '../resources/registry.js';
import { limitedCall } from '../stripe/call-policy.js';
import type { AccountRateLimiter } from '../stripe/rate-limiter.js';

interface Probe {
  permission: string;
  what: string;
  call(stripe: Stripe): Promise<unknown>;
}

/** Everything we read, each tried with the cheapest call that needs its permission. */
const PROBES: Probe[] = [
  ...RESOURCES.map((r) => ({ permission: r.permission, what: r.name, call: (s: Stripe) => r.list(s, { limit: 1 }) })),
  { permission: 'balance_read', what: 'balance', call: (s) => s.balance.retrieve() },
  { permission: 'event_read', what: 'events', call: (s) => s.events.list({ limit: 1 }) },
  { permission: 'report_runs_and_report_types_read', what: 'reports', call: (s) => s.reporting.reportTypes.list() },
  { permission: 'file_read', what: 'files', call: (s) => s.files.list({ limit: 1 }) },
];

export interface ProbeResult {
  missing: { permission: string; what: string }[];
}

/**
 * Tries every read we depend on and reports the ones Stripe refuses (403), so that a key that
 * cannot see, say, the balance is named as such instead of silently importing less.
 */
export async function probePermissions(stripe: Stripe, limiter: AccountRateLimiter): Promise<ProbeResult> {
  const missing: ProbeResult['missing'] = [];
  for (const probe of PROBES) {
    try {
      await limitedCall(limiter, probe.what, () => probe.call(stripe), { maxAttempts: 5 });
    } catch (err) {
      if (err instanceof Stripe.errors.StripePermissionError) missing.push({ permission: probe.permission, what: probe.what });
      else throw err;
    }
  }
  return { missing };
}

import type { ResourceVerification, VerificationState } from './contracts/connection-status.js';

/** One resource's verification, or the whole import's (its counts summed over the resources). */
type Counts = Pick<ResourceVerification, 'state'> & Partial<Omit<ResourceVerification, 'state' | 'verified_at'>>;

/**
 * How verification of an import reads, in the drawer, the console and the CLI alike: it runs
 * after the connection is live, so "imported" and "verified" are two different facts. The counts
 * say what happened: how many objects Stripe holds, how many were missing, how many are stored now.
 */
export function verificationText(v: Counts | null): string | null {
  if (!v) return null;
  switch (v.state) {
    case 'waiting':
      return 'verification queued';
    case 'verifying':
      return 'verifying with Stripe';
    case 'verified':
      return typeof v.expected === 'number' ? `verified: all ${v.expected} at Stripe are stored` : 'verified';
    case 'repaired': {
      const missing = v.found_missing ?? 0;
      const repaired = v.repaired ?? 0;
      if (!missing) return 'verified: missing objects found and stored';
      const of = typeof v.expected === 'number' ? ` of ${v.expected}` : '';
      return repaired === missing
        ? `verified: ${missing}${of} were missing, now stored`
        : `verified: ${missing}${of} were missing, ${repaired} stored so far`;
    }
  }
}

/** The whole import's counts: each resource's summed (null when any resource has none yet). */
export function importVerification(state: VerificationState, resources: { verification: ResourceVerification | null }[]): Counts {
  const all = resources.map((r) => r.verification);
  const sum = (k: 'found_missing' | 'repaired') => all.reduce((n, v) => n + (v?.[k] ?? 0), 0);
  const expected = all.every((v) => typeof v?.expected === 'number') ? all.reduce((n, v) => n + v!.expected!, 0) : null;
  return { state, expected, found_missing: sum('found_missing'), repaired: sum('repaired') };
}

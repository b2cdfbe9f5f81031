import type { ConnectionStatus, VerificationState } from './contracts/connection-status.js';

type ResourceVerification = ConnectionStatus['import']['resources'][number]['verification'];

/**
 * How verification of an import reads, in the drawer, the console and the CLI alike: it runs
 * after the connection is live, so "imported" and "verified" are two different facts.
 */
export function verificationText(v: ResourceVerification | { state: VerificationState; repaired?: number } | null): string | null {
  if (!v) return null;
  switch (v.state) {
    case 'waiting':
      return 'verification queued';
    case 'verifying':
      return 'verifying with Stripe';
    case 'verified':
      return 'verified';
    case 'repaired':
      return v.repaired ? `verified: ${v.repaired} found missing and stored` : 'verified: missing objects found and stored';
  }
}

import { describe, expect, it } from 'vitest';
import { isVerified, readVerification } from '../../server/sync/backfill/verify.js';
import { importVerification, verificationText } from '../../shared/verification-text.js';

const record = (v: unknown) => ({ verification: JSON.stringify(v) });

describe('verification record', () => {
  it('reads version 3 as it was written: expected, stored, found missing, repaired', () => {
    const v = readVerification(
      record({
        version: 3,
        verified_at: 't',
        expected: 200,
        stored: 198,
        found_missing: 2,
        repaired: 2,
        repaired_ids: [],
        below: { probes: 2, found: 1 },
      }),
    );
    expect(v).toEqual({ state: 'repaired', expected: 200, stored: 198, foundMissing: 2, repaired: 2, verifiedAt: 't' });
    expect(readVerification(record({ version: 3, verified_at: 't', expected: 5, stored: 5, found_missing: 0, repaired: 0 })).state).toBe(
      'verified',
    );
  });

  it('maps version 2 (listed, repaired) onto the same words, and is still verified', () => {
    const run = record({ version: 2, verified_at: 't', listed: 200, stored: 199, repaired: 2 });
    expect(readVerification(run)).toEqual({ state: 'repaired', expected: 200, stored: 199, foundMissing: 2, repaired: 2, verifiedAt: 't' });
    expect(isVerified(run)).toBe(true);
  });

  it('treats progress as verifying, and the check before version 2 as not verified', () => {
    expect(readVerification(record({ partial: true, below: { probes: 1, found: 0, done: false }, ranges: {} })).state).toBe('verifying');
    const old = record({ verified_at: 'x', expected: 1, stored: 1, missing_count: 0, missing: [], repaired: 0 });
    expect(readVerification(old).state).toBe('waiting');
    expect(isVerified(old)).toBe(false);
    expect(readVerification({ verification: null }).state).toBe('waiting');
  });

  it('says what happened in words, per resource and for the whole import', () => {
    const charges = { state: 'repaired' as const, expected: 200, stored: 198, found_missing: 2, repaired: 2, verified_at: 't' };
    const refunds = { state: 'verified' as const, expected: 10, stored: 10, found_missing: 0, repaired: 0, verified_at: 't' };
    expect(verificationText(charges)).toBe('verified: 2 of 200 were missing, now stored');
    expect(verificationText({ ...charges, repaired: 1 })).toBe('verified: 2 of 200 were missing, 1 stored so far');
    expect(verificationText(refunds)).toBe('verified: all 10 at Stripe are stored');
    expect(verificationText(importVerification('repaired', [{ verification: charges }, { verification: refunds }]))).toBe(
      'verified: 2 of 210 were missing, now stored',
    );
    expect(verificationText(importVerification('verifying', [{ verification: null }]))).toBe('verifying with Stripe');
  });
});

import Stripe from 'stripe';
import { signatureVerifier } from './client.js';

/** Stripe's verifier refuses signatures older than this; we also refuse ones dated as far ahead. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** The `t=` of a `Stripe-Signature` header, if it has exactly one well-formed one. */
export function signatureTime(header: string): number | null {
  const times = [...header.matchAll(/(?:^|,)\s*t=([^,]*)/g)].map((m) => m[1]!.trim());
  return times.length === 1 && /^\d{1,12}$/.test(times[0]!) ? Number(times[0]) : null;
}

export type SignatureCheck = 'valid' | 'unsigned' | 'future';

/**
 * Whether `payload` carries a signature by any of the secrets (rotation keeps two alive) from the
 * last 300 s, the way Stripe signs webhooks and app requests. Stripe's verifier only bounds a
 * signature's age: one dated in the future is `future` here, refused like an expired one.
 */
export function checkSignature(
  payload: string | Buffer,
  header: string,
  secrets: string[],
  nowSeconds = Math.floor(Date.now() / 1000),
): SignatureCheck {
  const signed = secrets.some((secret) => {
    try {
      return signatureVerifier.webhooks.signature!.verifyHeader(payload, header, secret, SIGNATURE_TOLERANCE_SECONDS) === true;
    } catch (err) {
      if (err instanceof Stripe.errors.StripeSignatureVerificationError) return false;
      throw err;
    }
  });
  if (!signed) return 'unsigned';
  const t = signatureTime(header);
  return t !== null && t - nowSeconds <= SIGNATURE_TOLERANCE_SECONDS ? 'valid' : 'future';
}

import { readFileSync } from 'node:fs';

/**
 * Stripe's error codes, as the pinned `stripe` package types them (`LastPaymentError.Code` on
 * PaymentIntent: the one list of every API error code). An emulator answering a code outside it
 * answers something Stripe never does.
 */
function pinnedErrorCodes(): string[] {
  const types = readFileSync(new URL('../../node_modules/stripe/esm/resources/PaymentIntents.d.ts', import.meta.url), 'utf8');
  // The longest `type Code = …` union in the file is LastPaymentError's (one line of ~200 codes).
  const unions = [...types.matchAll(/type Code = ([^;]+);/g)].map((m) => [...m[1]!.matchAll(/'([a-z0-9_]+)'/g)].map((c) => c[1]!));
  const codes = unions.sort((a, b) => b.length - a.length)[0] ?? [];
  if (!codes.includes('resource_missing')) throw new Error('the stripe package no longer types LastPaymentError.Code: update this reader');
  return codes;
}

export const STRIPE_ERROR_CODES = pinnedErrorCodes();

/**
 * Stripe's charge failure codes (`charge.failure_code`, from its error codes) and the card
 * decline codes, in words a merchant reads. A code not listed still reads as words, never as a
 * raw identifier: "do_not_try_again" → "Do not try again".
 */
const WORDS: Record<string, string> = {
  authentication_required: 'Authentication required',
  card_declined: 'Declined by the card issuer',
  card_not_supported: 'Card not supported',
  card_velocity_exceeded: 'Card limit exceeded',
  currency_not_supported: 'Currency not supported by the card',
  do_not_honor: 'Declined by the card issuer (do not honor)',
  expired_card: 'Card expired',
  fraudulent: 'Suspected fraud',
  generic_decline: 'Declined by the card issuer',
  incorrect_cvc: 'Wrong security code (CVC)',
  incorrect_number: 'Wrong card number',
  incorrect_zip: 'Wrong postal code',
  insufficient_funds: 'Insufficient funds',
  invalid_account: 'Card or account not valid',
  invalid_cvc: 'Invalid security code (CVC)',
  invalid_expiry_month: 'Invalid expiry month',
  invalid_expiry_year: 'Invalid expiry year',
  invalid_number: 'Invalid card number',
  lost_card: 'Card reported lost',
  merchant_blacklist: 'Blocked by your block list',
  processing_error: 'Processing error',
  stolen_card: 'Card reported stolen',
  transaction_not_allowed: 'Transaction not allowed on this card',
  try_again_later: 'Temporary decline, try again later',
};

/** "insufficient_funds" → "Insufficient funds". */
export function declineText(code: string): string {
  const known = WORDS[code];
  if (known) return known;
  const words = code.replace(/[_-]+/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : 'Unknown reason';
}

import { describe, expect, it } from 'vitest';
import { declineText } from '../../shared/decline-codes.js';

describe('declineText', () => {
  it('names the codes Stripe sends in words', () => {
    expect(declineText('card_declined')).toBe('Declined by the card issuer');
    expect(declineText('insufficient_funds')).toBe('Insufficient funds');
    expect(declineText('expired_card')).toBe('Card expired');
  });

  it('turns a code it does not know into words rather than showing the identifier', () => {
    expect(declineText('do_not_try_again')).toBe('Do not try again');
    expect(declineText('')).toBe('Unknown reason');
  });
});

import { describe, expect, it } from 'vitest';
import { decimalToMinor, formatMoney, minorToDecimal } from '../../shared/money.js';

describe('money', () => {
  it.each([
    [12345, 'usd', '123.45'],
    [-5, 'usd', '-0.05'],
    [0, 'eur', '0.00'],
    [500, 'jpy', '500'],
    [-1234, 'kwd', '-1.234'],
    [9_007_199_254_740_991, 'usd', '90071992547409.91'],
  ])('%i %s ⇄ %s', (minor, currency, decimal) => {
    expect(minorToDecimal(minor, currency)).toBe(decimal);
    expect(decimalToMinor(decimal, currency)).toBe(minor);
  });

  it('reads report notations exactly and refuses to round', () => {
    expect(decimalToMinor('12.3', 'usd')).toBe(1230);
    expect(decimalToMinor('12.300', 'usd')).toBe(1230);
    expect(decimalToMinor('7', 'usd')).toBe(700);
    expect(() => decimalToMinor('1.005', 'usd')).toThrow(/more decimals/);
    expect(() => decimalToMinor('1.5', 'jpy')).toThrow(/more decimals/);
    expect(() => decimalToMinor('1,50', 'eur')).toThrow(/not a decimal/);
  });
});

describe('formatMoney', () => {
  it.each([
    [123_456_789, 'jpy', '¥123,456,789'],
    [123_456, 'usd', '$1,234.56'],
    [-5, 'usd', '-$0.05'],
    [1_234_567, 'kwd', 'KWD 1,234.567'],
    [1_000, 'bhd', 'BHD 1.000'],
    [9_007_199_254_740_991, 'usd', '$90,071,992,547,409.91'],
    [100_000, 'eur', '€1,000.00'],
  ])('%i %s → %s', (minor, currency, text) => {
    // Intl separates a code from its number with a no-break space.
    expect(formatMoney(minor, currency).replace(/\u00a0/g, ' ')).toBe(text);
  });

  it('shows the exact amount of a code Intl does not know', () => {
    expect(formatMoney(1234, 'zzzz')).toBe('12.34 ZZZZ');
  });
});

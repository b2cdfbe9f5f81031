import { describe, expect, it } from 'vitest';
import { decimalToMinor, minorToDecimal } from '../../shared/money.js';

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

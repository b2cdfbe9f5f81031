/**
 * Money conversions between Stripe's two notations: the API's integer minor units and the
 * reports' decimal major units. Exact: strings and integers only, never floating point.
 */
const ZERO_DECIMAL = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
  'ugx',
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
]);
const THREE_DECIMAL = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

/** Digits after the decimal point in Stripe's API amounts: 0 for JPY, 3 for KWD, 2 otherwise. */
export function currencyExponent(currency: string): number {
  const c = currency.toLowerCase();
  if (ZERO_DECIMAL.has(c)) return 0;
  if (THREE_DECIMAL.has(c)) return 3;
  return 2;
}

/** 12345 usd → "123.45"; -5 usd → "-0.05"; 500 jpy → "500". */
export function minorToDecimal(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor)) throw new Error(`not an integer amount: ${minor}`);
  const exponent = currencyExponent(currency);
  const sign = minor < 0 ? '-' : '';
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  if (exponent === 0) return `${sign}${digits}`;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** "123.45" usd → 12345. Refuses more decimals than the currency has, rather than rounding. */
export function decimalToMinor(decimal: string, currency: string): number {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(decimal.trim());
  if (!match) throw new Error(`not a decimal amount: "${decimal}"`);
  const [, sign, whole, fraction = ''] = match;
  const exponent = currencyExponent(currency);
  const trimmed = fraction.replace(/0+$/, '');
  if (trimmed.length > exponent) throw new Error(`"${decimal}" has more decimals than ${currency} allows`);
  const minor = Number(`${whole}${fraction.padEnd(exponent, '0').slice(0, exponent)}`);
  if (!Number.isSafeInteger(minor)) throw new Error(`amount out of range: "${decimal}"`);
  return sign === '-' ? -minor : minor;
}

/**
 * An amount in minor units as people read it, with its currency's symbol, thousands separators
 * and exactly its number of decimals: 123456789 jpy → "¥123,456,789", 123456 usd → "$1,234.56",
 * 1234567 kwd → "KWD 1,234.567". Exact at any size: Intl formats the decimal string, not a float.
 */
export function formatMoney(minor: number, currency: string, locale = 'en-US'): string {
  const digits = currencyExponent(currency);
  const decimal = minorToDecimal(minor, currency);
  try {
    const format = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: currency.toUpperCase(),
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    // A decimal string is formatted exactly (ECMA-402's string numerals), never through a float.
    return format.format(decimal as unknown as number);
  } catch {
    // A code Intl does not know still shows its exact amount.
    return `${decimal} ${currency.toUpperCase()}`;
  }
}

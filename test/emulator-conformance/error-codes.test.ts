import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STRIPE_ERROR_CODES } from '../support/stripe-error-codes.js';

const dir = new URL('../../server/emulator/', import.meta.url);

/** Every error code the emulator's source can answer with: `code: '…'` and errors.invalid's third argument. */
function emulatorCodes(): { file: string; code: string }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .flatMap((file) => {
      const text = readFileSync(new URL(file, dir), 'utf8');
      const literal = [...text.matchAll(/\bcode: '([a-z0-9_]+)'/g)].map((m) => m[1]!);
      const invalid = [...text.matchAll(/errors\.invalid\([^;]*?, '([a-z0-9_]+)'\)/g)].map((m) => m[1]!);
      return [...literal, ...invalid].map((code) => ({ file, code }));
    });
}

describe('emulator error codes', () => {
  it('are all codes Stripe has (the pinned SDK types every one)', () => {
    expect(STRIPE_ERROR_CODES.length).toBeGreaterThan(100);
    expect(STRIPE_ERROR_CODES).toContain('parameter_unknown');
    const codes = emulatorCodes();
    expect(codes.map((c) => c.code)).toEqual(expect.arrayContaining(['resource_missing', 'parameter_unknown', 'rate_limit']));
    expect(codes.filter((c) => !STRIPE_ERROR_CODES.includes(c.code))).toEqual([]);
  });
});

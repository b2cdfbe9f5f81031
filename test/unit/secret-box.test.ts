import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DecryptionError, SecretBox } from '../../server/crypto/secret-box.js';

const key = () => randomBytes(32).toString('base64');

describe('SecretBox', () => {
  it('round-trips and never shows the plaintext in the ciphertext', () => {
    const box = new SecretBox([key()]);
    const secret = 'sk_test_51Habc0123456789';
    const sealed = box.encrypt(secret, 'conn_1:api_key');
    expect(sealed).not.toContain('sk_test');
    expect(sealed.startsWith(`v1.${box.currentKeyId}.`)).toBe(true);
    expect(box.decrypt(sealed, 'conn_1:api_key')).toBe(secret);
    expect(box.encrypt(secret)).not.toBe(box.encrypt(secret));
  });

  it('rejects tampered ciphertext and a different context', () => {
    const box = new SecretBox([key()]);
    const sealed = box.encrypt('rt_refresh_token_value_123456', 'conn_1:refresh_token');
    const parts = sealed.split('.');
    const data = Buffer.from(parts[4]!, 'base64url');
    data[0] = data[0]! ^ 0xff;
    parts[4] = data.toString('base64url');
    expect(() => box.decrypt(parts.join('.'), 'conn_1:refresh_token')).toThrow(DecryptionError);
    expect(() => box.decrypt(sealed, 'conn_2:refresh_token')).toThrow(DecryptionError);
    expect(() => box.decrypt('garbage', '')).toThrow(DecryptionError);
  });

  it('decrypts with a rotated-out key and flags it for re-encryption', () => {
    const oldKey = key();
    const sealedWithOld = new SecretBox([oldKey]).encrypt('whsec_abc');
    const rotated = new SecretBox([key(), oldKey]);
    expect(rotated.decrypt(sealedWithOld)).toBe('whsec_abc');
    expect(rotated.needsRotation(sealedWithOld)).toBe(true);
    expect(rotated.needsRotation(rotated.encrypt('whsec_abc'))).toBe(false);
    expect(() => new SecretBox([key()]).decrypt(sealedWithOld)).toThrow(/no configured encryption key/);
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => new SecretBox([Buffer.alloc(16).toString('base64')])).toThrow(/32 bytes/);
    expect(() => new SecretBox([])).toThrow();
  });
});

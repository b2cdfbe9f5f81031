import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const VERSION = 'v1';

export class DecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecryptionError';
  }
}

interface Key {
  id: string;
  bytes: Buffer;
}

/**
 * AES-256-GCM with a key id in every ciphertext: `v1.<kid>.<iv>.<tag>.<data>` (base64url).
 * The first key encrypts; every key decrypts, so keys rotate by prepending a new one and
 * re-encrypting at leisure. `context` is bound as associated data (for example the row a
 * secret belongs to), so a ciphertext copied onto another row does not decrypt.
 */
export class SecretBox {
  private readonly keys: Key[];

  constructor(base64Keys: string[]) {
    if (!base64Keys.length) throw new Error('SecretBox needs at least one encryption key');
    this.keys = base64Keys.map((k) => {
      const bytes = Buffer.from(k, 'base64');
      if (bytes.length !== 32) throw new Error('encryption keys must be 32 bytes, base64-encoded');
      return { id: createHash('sha256').update(bytes).digest('hex').slice(0, 12), bytes };
    });
  }

  get currentKeyId(): string {
    return this.keys[0]!.id;
  }

  encrypt(plaintext: string, context = ''): string {
    const key = this.keys[0]!;
    const iv = randomBytes(12);
    const cipher = createCipheriv(ALGORITHM, key.bytes, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, key.id, iv, cipher.getAuthTag(), data]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  decrypt(ciphertext: string, context = ''): string {
    const [version, kid, iv, tag, data, ...rest] = ciphertext.split('.');
    if (version !== VERSION || !kid || !iv || !tag || data === undefined || rest.length) {
      throw new DecryptionError('not a ciphertext produced by SecretBox');
    }
    const key = this.keys.find((k) => k.id === kid);
    if (!key) throw new DecryptionError(`no configured encryption key has id ${kid}`);
    try {
      const decipher = createDecipheriv(ALGORITHM, key.bytes, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new DecryptionError('ciphertext failed authentication (tampered, or wrong context)');
    }
  }

  /** True when the ciphertext was not made with the current key and should be re-encrypted. */
  needsRotation(ciphertext: string): boolean {
    return ciphertext.split('.')[1] !== this.currentKeyId;
  }
}

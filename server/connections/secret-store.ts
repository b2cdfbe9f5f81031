import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/database.js';

export type SecretKind = 'access_token' | 'refresh_token' | 'api_key' | 'webhook_secret';

/**
 * Connection secrets, encrypted at rest. Each ciphertext is bound to its row
 * (`connectionId:kind`), so a value copied onto another connection does not decrypt.
 */
export class SecretStore {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  get currentKeyId(): string {
    return this.box.currentKeyId;
  }

  private context(connectionId: string, kind: SecretKind): string {
    return `${connectionId}:${kind}`;
  }

  async put(connectionId: string, kind: SecretKind, plaintext: string, trx: Db = this.db): Promise<void> {
    const row = {
      connection_id: connectionId,
      kind,
      key_id: this.box.currentKeyId,
      ciphertext: this.box.encrypt(plaintext, this.context(connectionId, kind)),
      updated_at: Date.now(),
    };
    await trx('connection_secrets')
      .insert({ ...row, version: 1 })
      .onConflict(['connection_id', 'kind'])
      .merge({
        key_id: row.key_id,
        ciphertext: row.ciphertext,
        updated_at: row.updated_at,
        version: trx.raw('connection_secrets.version + 1'),
      });
  }

  async get(connectionId: string, kind: SecretKind, trx: Db = this.db): Promise<{ value: string; version: number } | null> {
    const row = await trx('connection_secrets').where({ connection_id: connectionId, kind }).first();
    if (!row) return null;
    return { value: this.box.decrypt(String(row.ciphertext), this.context(connectionId, kind)), version: Number(row.version) };
  }

  /**
   * Replaces a secret only if it is still at `expectedVersion`; false when another writer got
   * there first. This is how a rotated refresh token replaces the old one exactly once.
   */
  async swap(connectionId: string, kind: SecretKind, plaintext: string, expectedVersion: number, trx: Db): Promise<boolean> {
    const updated = await trx('connection_secrets')
      .where({ connection_id: connectionId, kind, version: expectedVersion })
      .update({
        key_id: this.box.currentKeyId,
        ciphertext: this.box.encrypt(plaintext, this.context(connectionId, kind)),
        version: expectedVersion + 1,
        updated_at: Date.now(),
      });
    return updated === 1;
  }

  /** Deletes a secret only if it is still at `version`; true when it was. */
  async deleteAtVersion(connectionId: string, kind: SecretKind, version: number, trx: Db = this.db): Promise<boolean> {
    return (await trx('connection_secrets').where({ connection_id: connectionId, kind, version }).delete()) > 0;
  }

  /**
   * Whether the configured keys open what is stored: one secret of each key id is tried. Null when
   * at least one opens (or nothing is stored); otherwise a one-line reason. A process started with
   * the wrong ENCRYPTION_KEYS would fail on every connection, over and over.
   */
  async keysProblem(): Promise<string | null> {
    const samples = (await this.db('connection_secrets').groupBy('key_id').select('key_id').min({ connection_id: 'connection_id' })) as {
      key_id: string;
      connection_id: string;
    }[];
    if (!samples.length) return null;
    for (const sample of samples) {
      const row = await this.db('connection_secrets').where({ key_id: sample.key_id, connection_id: sample.connection_id }).first('kind');
      if (
        row &&
        (await this.get(sample.connection_id, row.kind as SecretKind).then(
          () => true,
          () => false,
        ))
      )
        return null;
    }
    const ids = samples.map((s) => s.key_id).join(', ');
    return (
      `ENCRYPTION_KEYS opens none of the stored secrets (sealed with key id ${ids}; this process has ${this.box.currentKeyId} first): ` +
      'set the keys they were encrypted with'
    );
  }

  /**
   * Key rotation: re-encrypts, with the current key, every secret still sealed with an older one,
   * in batches. Each row is swapped only at the version it was decrypted at, so a token refreshed
   * meanwhile keeps its newer value (already under the current key). Returns how many were
   * re-encrypted and how many remain on older keys (0 once the old keys can be removed).
   */
  async reencryptAll(batch = 200): Promise<{ reencrypted: number; remaining: number }> {
    const current = this.box.currentKeyId;
    let reencrypted = 0;
    let afterId = '';
    for (;;) {
      const rows = await this.db('connection_secrets')
        .whereNot('key_id', current)
        .whereRaw("connection_id || ':' || kind > ?", [afterId])
        .orderByRaw("connection_id || ':' || kind")
        .limit(batch)
        .select('connection_id', 'kind');
      if (!rows.length) break;
      for (const row of rows as { connection_id: string; kind: SecretKind }[]) {
        // A secret no configured key opens stays as it is (and counts as remaining).
        const secret = await this.get(row.connection_id, row.kind).catch(() => null);
        if (secret && (await this.swap(row.connection_id, row.kind, secret.value, secret.version, this.db))) reencrypted++;
        afterId = `${row.connection_id}:${row.kind}`;
      }
    }
    const [left] = await this.db('connection_secrets').whereNot('key_id', current).count({ n: '*' });
    return { reencrypted, remaining: Number(left?.n ?? 0) };
  }

  async has(connectionId: string, kind: SecretKind): Promise<boolean> {
    return Boolean(await this.db('connection_secrets').where({ connection_id: connectionId, kind }).first('kind'));
  }

  async deleteAll(connectionId: string, trx: Db = this.db, kinds?: SecretKind[]): Promise<void> {
    const query = trx('connection_secrets').where({ connection_id: connectionId });
    if (kinds) query.whereIn('kind', kinds);
    await query.delete();
  }
}

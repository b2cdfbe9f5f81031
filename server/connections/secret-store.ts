import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/database.js';

export type SecretKind = 'access_token' | 'refresh_token' | 'api_key' | 'webhook_secret';

/**
 * Connection secrets, encrypted at rest. Each ciphertext is bound to its row
 * (`connectionId:kind`), so a value copied onto another connection does not decrypt.
 */
export class SecretStore {
  constructor(private readonly db: Db, private readonly box: SecretBox) {}

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
    await trx('connection_secrets').insert({ ...row, version: 1 })
      .onConflict(['connection_id', 'kind'])
      .merge({ key_id: row.key_id, ciphertext: row.ciphertext, updated_at: row.updated_at, version: trx.raw('connection_secrets.version + 1') });
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

  async has(connectionId: string, kind: SecretKind): Promise<boolean> {
    return Boolean(await this.db('connection_secrets').where({ connection_id: connectionId, kind }).first('kind'));
  }

  async deleteAll(connectionId: string, trx: Db = this.db, kinds?: SecretKind[]): Promise<void> {
    const query = trx('connection_secrets').where({ connection_id: connectionId });
    if (kinds) query.whereIn('kind', kinds);
    await query.delete();
  }
}

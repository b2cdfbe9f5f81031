import { createHash } from 'node:crypto';
import type { Db } from '../db/database.js';

/**
 * State-changing requests the Stripe App signed, each kept until its signature expires: a
 * signature is accepted for one such request only, so one captured in transit cannot be replayed.
 */
export class SignatureUses {
  private claims = 0;

  constructor(private readonly db: Db) {}

  /** True the first time this signature is presented; false ever after (until it expires anyway). */
  async claim(header: string, expiresAt: number): Promise<boolean> {
    const signatureHash = createHash('sha256').update(header).digest('hex');
    // Expired claims can never be presented again (the signature is refused as too old first).
    if (++this.claims % 100 === 1) await this.db('app_signature_uses').where('expires_at', '<', Date.now()).delete();
    const inserted = await this.db('app_signature_uses')
      .insert({ signature_hash: signatureHash, expires_at: expiresAt })
      .onConflict('signature_hash')
      .ignore()
      .returning('signature_hash');
    return inserted.length > 0;
  }
}

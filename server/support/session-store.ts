import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/database.js';
import { readNumber } from '../db/rows.js';

export const SESSION_TTL_MS = 12 * 60 * 60_000;

export interface SupportSession {
  csrfToken: string;
  expiresAt: number;
}

const hash = (id: string) => createHash('sha256').update(id).digest('hex');
/** The CSRF token of a session: derived from its id (only the cookie holds it), stored nowhere. */
const csrfOf = (id: string) => createHash('sha256').update(`csrf:${id}`).digest('base64url');

/** Console logins. The cookie holds a random id; the table holds only its hash. */
export class SupportSessions {
  constructor(private readonly db: Db) {}

  async create(): Promise<SupportSession & { id: string }> {
    const id = randomBytes(32).toString('base64url');
    const now = Date.now();
    const session = { csrfToken: csrfOf(id), expiresAt: now + SESSION_TTL_MS };
    await this.db('support_sessions').where('expires_at', '<', now).delete();
    await this.db('support_sessions').insert({ id_hash: hash(id), created_at: now, expires_at: session.expiresAt });
    return { id, ...session };
  }

  async find(id: string): Promise<SupportSession | null> {
    const row = await this.db('support_sessions')
      .where({ id_hash: hash(id) })
      .first();
    if (!row || readNumber(row.expires_at) <= Date.now()) return null;
    return { csrfToken: csrfOf(id), expiresAt: readNumber(row.expires_at) };
  }

  async destroy(id: string): Promise<void> {
    await this.db('support_sessions')
      .where({ id_hash: hash(id) })
      .delete();
  }
}

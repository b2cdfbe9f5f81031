import type { Db } from '../db/database.js';
import { readBool, readNumber, readOptionalNumber } from '../db/rows.js';
import type { AuthKind, ConnectionState } from '../../shared/connection-states.js';

export interface Connection {
  id: string;
  accountId: string;
  livemode: boolean;
  authKind: AuthKind;
  merchantId: string | null;
  name: string | null;
  country: string | null;
  state: ConnectionState;
  stateReason: string | null;
  stateChangedAt: number;
  tokenExpiresAt: number | null;
  createdAt: number;
}

function toConnection(row: Record<string, unknown>): Connection {
  return {
    id: String(row.id),
    accountId: String(row.account_id),
    livemode: readBool(row.livemode),
    authKind: row.auth_kind as AuthKind,
    merchantId: (row.merchant_id as string | null) ?? null,
    name: (row.name as string | null) ?? null,
    country: (row.country as string | null) ?? null,
    state: row.state as ConnectionState,
    stateReason: (row.state_reason as string | null) ?? null,
    stateChangedAt: readNumber(row.state_changed_at),
    tokenExpiresAt: readOptionalNumber(row.token_expires_at),
    createdAt: readNumber(row.created_at),
  };
}

export async function listConnections(db: Db, options: { limit?: number } = {}): Promise<Connection[]> {
  const rows = await db('connections').orderBy('created_at', 'desc').limit(options.limit ?? 1000);
  return rows.map(toConnection);
}

export async function getConnection(db: Db, id: string): Promise<Connection | null> {
  const row = await db('connections').where({ id }).first();
  return row ? toConnection(row) : null;
}

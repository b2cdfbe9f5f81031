import { randomBytes } from 'node:crypto';
import { modeOf, type Environment } from '../config.js';
import type { Db } from '../db/database.js';
import { readBool, readJson, readNumber, readOptionalNumber } from '../db/rows.js';
import type { AuthKind, ConnectionState } from '../../shared/connection-states.js';
import { NotFoundError } from '../errors.js';
import { storedError } from '../logging/redact.js';

export type InstallSource = 'oauth_install' | 'marketplace' | 'api_key';

export interface Connection {
  id: string;
  accountId: string;
  livemode: boolean;
  /** Which platform credentials it belongs to: test or live mode, or the app's managed sandbox. */
  environment: Environment;
  authKind: AuthKind;
  installSource: InstallSource | null;
  merchantId: string | null;
  name: string | null;
  country: string | null;
  state: ConnectionState;
  stateReason: string | null;
  stateChangedAt: number;
  tokenExpiresAt: number | null;
  tokenRefreshedAt: number | null;
  missingPermissions: string[];
  lastError: string | null;
  lastErrorAt: number | null;
  /** ms: the latest install or reauthorization (app connections); a lifecycle event older than it cannot undo it. */
  authorizedAt: number | null;
  createdAt: number;
}

export interface StateChange {
  fromState: ConnectionState | null;
  toState: ConnectionState;
  reason: string;
  at: number;
}

export function toConnection(row: Record<string, unknown>): Connection {
  const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return {
    id: String(row.id),
    accountId: String(row.account_id),
    livemode: readBool(row.livemode),
    environment: (text(row.environment) ?? modeOf(readBool(row.livemode))) as Environment,
    authKind: row.auth_kind as AuthKind,
    installSource: text(row.install_source) as InstallSource | null,
    merchantId: text(row.merchant_id),
    name: text(row.name),
    country: text(row.country),
    state: row.state as ConnectionState,
    stateReason: text(row.state_reason),
    stateChangedAt: readNumber(row.state_changed_at),
    tokenExpiresAt: readOptionalNumber(row.token_expires_at),
    tokenRefreshedAt: readOptionalNumber(row.token_refreshed_at),
    missingPermissions: row.missing_permissions ? readJson<string[]>(row.missing_permissions) : [],
    lastError: text(row.last_error),
    lastErrorAt: readOptionalNumber(row.last_error_at),
    authorizedAt: readOptionalNumber(row.authorized_at),
    createdAt: readNumber(row.created_at),
  };
}

const newConnectionId = () => `conn_${randomBytes(12).toString('base64url')}`;

export interface NewConnection {
  accountId: string;
  livemode: boolean;
  /** Default: live or test, from `livemode`. */
  environment?: Environment;
  authKind: AuthKind;
  installSource: InstallSource;
  merchantId?: string | null;
  name?: string | null;
  country?: string | null;
  tokenExpiresAt?: number | null;
}

/** Inserts a connection in `connecting` with its first recorded state change. */
export async function insertConnection(trx: Db, c: NewConnection, reason: string): Promise<string> {
  const now = Date.now();
  const id = newConnectionId();
  await trx('connections').insert({
    id,
    account_id: c.accountId,
    livemode: c.livemode,
    environment: c.environment ?? modeOf(c.livemode),
    auth_kind: c.authKind,
    install_source: c.installSource,
    merchant_id: c.merchantId ?? null,
    name: c.name ?? null,
    country: c.country ?? null,
    state: 'connecting',
    state_reason: reason,
    state_changed_at: now,
    token_expires_at: c.tokenExpiresAt ?? null,
    token_refreshed_at: c.tokenExpiresAt ? now : null,
    authorized_at: c.authKind === 'oauth' ? now : null,
    created_at: now,
    updated_at: now,
  });
  await trx('connection_state_changes').insert({ connection_id: id, from_state: null, to_state: 'connecting', reason, created_at: now });
  return id;
}

export type ConnectionPatch = Partial<{
  auth_kind: AuthKind;
  install_source: InstallSource;
  environment: Environment;
  merchant_id: string | null;
  name: string | null;
  country: string | null;
  token_expires_at: number | null;
  token_refreshed_at: number | null;
  missing_permissions: string | null;
  last_error: string | null;
  last_error_at: number | null;
  refresh_lock_until: number | null;
  authorized_at: number | null;
}>;

export async function updateConnection(trx: Db, id: string, patch: ConnectionPatch): Promise<void> {
  const scrubbed = typeof patch.last_error === 'string' ? { last_error: storedError(patch.last_error) } : {};
  await trx('connections')
    .where({ id })
    .update({ ...patch, ...scrubbed, updated_at: Date.now() });
}

/** Moves a connection to a state and records the change with its reason, in one transaction. */
export async function transition(db: Db, id: string, to: ConnectionState, reason: string): Promise<void> {
  await db.transaction(async (trx) => {
    const row = await trx('connections').where({ id }).first('state');
    if (!row) throw new NotFoundError(`No connection ${id}`);
    const now = Date.now();
    const said = storedError(reason);
    await trx('connections').where({ id }).update({ state: to, state_reason: said, state_changed_at: now, updated_at: now });
    await trx('connection_state_changes').insert({ connection_id: id, from_state: row.state, to_state: to, reason: said, created_at: now });
  });
}

/** Records something that happened to a connection (a rename, a new key, an event not applied) without changing its state. */
export async function recordNote(db: Db, id: string, reason: string): Promise<void> {
  const row = await db('connections').where({ id }).first('state');
  if (!row) throw new NotFoundError(`No connection ${id}`);
  await db('connection_state_changes').insert({
    connection_id: id,
    from_state: row.state,
    to_state: row.state,
    reason: storedError(reason),
    created_at: Date.now(),
  });
}

export async function getConnection(db: Db, id: string): Promise<Connection | null> {
  const row = await db('connections').where({ id }).first();
  return row ? toConnection(row) : null;
}

export async function findByAccount(db: Db, accountId: string, livemode: boolean): Promise<Connection | null> {
  const row = await db('connections').where({ account_id: accountId, livemode }).first();
  return row ? toConnection(row) : null;
}

/**
 * The connection of another account that already answers to `merchantId` (its webhook URL), if
 * any: one URL belongs to one merchant (a unique index holds it per mode; this covers both modes).
 */
export async function merchantIdHolder(db: Db, merchantId: string, accountId: string): Promise<Connection | null> {
  const row = await db('connections').where({ merchant_id: merchantId }).whereNot({ account_id: accountId }).first();
  return row ? toConnection(row) : null;
}

/** Connections not disconnected that answer to a merchant id (its webhook URL): one account's, per mode. */
export async function activeByMerchant(db: Db, merchantId: string): Promise<Connection[]> {
  const rows = await db('connections').where({ merchant_id: merchantId }).whereNot('state', 'disconnected');
  return rows.map(toConnection);
}

/** Active OAuth connections whose access token expires before `at`. */
export async function tokensExpiringBefore(db: Db, at: number): Promise<string[]> {
  const rows = await db('connections')
    .where({ auth_kind: 'oauth' })
    .whereIn('state', ['connecting', 'backfilling', 'live', 'degraded'])
    .where('token_expires_at', '<', at)
    .select('id');
  return rows.map((r: { id: unknown }) => String(r.id));
}

/** Takes the connection's token-refresh lease until `until`, if nobody holds it at `now`; true when taken. */
export async function leaseTokenRefresh(db: Db, id: string, now: number, until: number): Promise<boolean> {
  const taken = await db('connections')
    .where({ id })
    .where((w) => w.whereNull('refresh_lock_until').orWhere('refresh_lock_until', '<', now))
    .update({ refresh_lock_until: until });
  return taken === 1;
}

export async function releaseTokenRefresh(db: Db, id: string): Promise<void> {
  await db('connections').where({ id }).update({ refresh_lock_until: null });
}

/** Ids of the connections in any of these states. */
export async function connectionIdsIn(db: Db, states: readonly ConnectionState[]): Promise<string[]> {
  return (
    await db('connections')
      .whereIn('state', [...states])
      .pluck('id')
  ).map(String);
}

export async function connectionExists(db: Db, id: string): Promise<boolean> {
  return Boolean(await db('connections').where({ id }).first('id'));
}

/**
 * Connections whose import may have no owner: still importing (or degraded by an import's errors
 * for longer than `heldMs`), with no state change for `leaseMs`.
 */
export async function quietImports(db: Db, now: number, leaseMs: number, heldMs: number): Promise<string[]> {
  const rows = await db('connections')
    .where((w) =>
      w.whereIn('state', ['connecting', 'backfilling']).orWhere((d) =>
        d
          .where('state', 'degraded')
          .where('state_reason', 'like', 'import of %')
          .where('state_changed_at', '<', now - heldMs - leaseMs),
      ),
    )
    .where('state_changed_at', '<', now - leaseMs)
    .pluck('id');
  return rows.map(String);
}

export async function stateHistory(db: Db, id: string, limit = 100): Promise<StateChange[]> {
  const rows = await db('connection_state_changes').where({ connection_id: id }).orderBy('id', 'desc').limit(limit);
  return rows.map((r) => ({
    fromState: (r.from_state ?? null) as ConnectionState | null,
    toState: r.to_state as ConnectionState,
    reason: String(r.reason),
    at: readNumber(r.created_at),
  }));
}

/** Access tokens live one hour; Stripe does not say so in the response (no `expires_in`). */
export const ACCESS_TOKEN_TTL_MS = 60 * 60 * 1000;

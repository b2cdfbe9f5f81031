import type { Environment, Mode } from '../config.js';
import type { Db } from '../db/database.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { RESOURCES, resourceByName } from '../resources/registry.js';
import type { Jobs } from '../jobs/jobs.js';
import type { Logger } from '../logging/logger.js';
import { validActions, type ConnectionAction } from '../../shared/connection-states.js';
import {
  ACCESS_TOKEN_TTL_MS,
  activeByMerchant,
  findByAccount,
  getConnection,
  insertConnection,
  merchantIdHolder,
  recordNote,
  transition,
  updateConnection,
  type Connection,
  type InstallSource,
} from './connection-repository.js';
import { appSettingsOf, saveAppSettings } from './connection-settings.js';
import type { AppSettings } from '../../shared/contracts/app-api.js';
import type { SecretStore } from './secret-store.js';

export interface AccountInfo {
  id: string;
  name: string | null;
  country: string | null;
}

/**
 * Connections' lifecycle: storing a new install or API key, the support actions, and the jobs
 * that start or stop with them. Every state change goes through `transition`, which records it.
 */
export class ConnectionService {
  constructor(
    private readonly deps: {
      db: Db;
      secrets: SecretStore;
      jobs: Jobs;
      logger: Logger;
      /** Stops running work (the import) of a connection that is paused or disconnected. */
      stopWork?: (connectionId: string) => void;
    },
  ) {}

  /** The account's connection in a mode, if there is one (disconnected ones included). */
  forAccount(accountId: string, livemode: boolean): Promise<Connection | null> {
    return findByAccount(this.deps.db, accountId, livemode);
  }

  /** Connections that answer to a merchant's own webhook URL. */
  forMerchant(merchantId: string): Promise<Connection[]> {
    return activeByMerchant(this.deps.db, merchantId);
  }

  /**
   * A Marketplace install gets the account id as its merchant id (its webhook URL) on its first
   * signed request, unless support already gave that name to another account's connection.
   */
  async linkMerchant(connection: Connection): Promise<void> {
    if (connection.merchantId || connection.installSource !== 'marketplace') return;
    if (await merchantIdHolder(this.deps.db, connection.accountId, connection.accountId)) return;
    await updateConnection(this.deps.db, connection.id, { merchant_id: connection.accountId });
  }

  appSettings(connection: Connection): Promise<AppSettings> {
    return appSettingsOf(this.deps.db, connection.id);
  }

  saveAppSettings(connection: Connection, settings: AppSettings): Promise<void> {
    return saveAppSettings(this.deps.db, connection.id, settings);
  }

  async get(id: string): Promise<Connection> {
    const connection = await getConnection(this.deps.db, id);
    if (!connection) throw new NotFoundError(`No connection ${id}`);
    return connection;
  }

  /** Stores (or re-links) an OAuth install with its tokens, then starts the sync. */
  async saveOAuthInstall(input: {
    mode: Environment;
    account: AccountInfo;
    accessToken: string;
    refreshToken: string;
    source: InstallSource;
  }): Promise<Connection> {
    const { db, secrets } = this.deps;
    const livemode = input.mode === 'live';
    const where = input.mode === 'sandbox' ? 'in a Stripe sandbox' : `${input.mode} mode`;
    const now = Date.now();
    const how = input.source === 'marketplace' ? 'installed from the Stripe Marketplace' : 'installed through the Connect button';
    const id = await db.transaction(async (trx) => {
      const existing = await findByAccount(trx, input.account.id, livemode);
      let connectionId: string;
      if (existing) {
        connectionId = existing.id;
        await updateConnection(trx, connectionId, {
          auth_kind: 'oauth',
          install_source: input.source,
          environment: input.mode,
          name: input.account.name,
          country: input.account.country,
          token_expires_at: now + ACCESS_TOKEN_TTL_MS,
          token_refreshed_at: now,
          missing_permissions: null,
          last_error: null,
          last_error_at: null,
          authorized_at: now,
        });
        await secrets.deleteAll(connectionId, trx, ['api_key']);
      } else {
        connectionId = await insertConnection(
          trx,
          {
            accountId: input.account.id,
            livemode,
            environment: input.mode,
            authKind: 'oauth',
            installSource: input.source,
            name: input.account.name,
            country: input.account.country,
            tokenExpiresAt: now + ACCESS_TOKEN_TTL_MS,
          },
          `${how} (${where})`,
        );
      }
      await secrets.put(connectionId, 'access_token', input.accessToken, trx);
      await secrets.put(connectionId, 'refresh_token', input.refreshToken, trx);
      return connectionId;
    });
    await this.startSync(id, `${how}; initial import scheduled`);
    return this.get(id);
  }

  /** Stores an API-key connection (new, or a replacement key for an existing API-key one). */
  async saveApiKeyConnection(input: {
    mode: Mode;
    account: AccountInfo;
    apiKey: string;
    name: string;
    merchantId?: string;
    webhookSecret?: string;
    missing: string[];
    /** The connection whose key this replaces ("Replace API key"); without it, an existing connection is refused. */
    replacing?: string;
  }): Promise<Connection> {
    const { db, secrets } = this.deps;
    const livemode = input.mode === 'live';
    let previous: Connection | null = null;
    const id = await db.transaction(async (trx) => {
      const existing = await findByAccount(trx, input.account.id, livemode);
      previous = existing;
      if (existing && existing.authKind === 'oauth' && existing.state !== 'disconnected') {
        throw new ConflictError(`Account ${input.account.id} is already connected through the app (${existing.id}); disconnect it first`);
      }
      if (existing && existing.state !== 'disconnected' && existing.id !== input.replacing) {
        throw new ConflictError(
          `Account ${input.account.id} (${input.mode} mode) is already connected ` +
            `as "${existing.name ?? existing.accountId}" (${existing.id}). ` +
            `To give it a new key, use "Replace API key" on that connection's page.`,
        );
      }
      const holder = input.merchantId ? await merchantIdHolder(trx, input.merchantId, input.account.id) : null;
      if (holder) {
        throw new ConflictError(
          `Merchant id "${input.merchantId}" already names the webhook URL of "${holder.name ?? holder.accountId}" (${holder.id}); ` +
            'choose another',
        );
      }
      const connectionId =
        existing?.id ??
        (await insertConnection(
          trx,
          {
            accountId: input.account.id,
            livemode,
            authKind: 'api_key',
            installSource: 'api_key',
            merchantId: input.merchantId ?? null,
            name: input.name,
            country: input.account.country,
          },
          `connected with an API key (${input.mode} mode)`,
        ));
      await updateConnection(trx, connectionId, {
        auth_kind: 'api_key',
        install_source: 'api_key',
        name: input.name,
        country: input.account.country,
        merchant_id: input.merchantId ?? existing?.merchantId ?? null,
        token_expires_at: null,
        token_refreshed_at: null,
        missing_permissions: input.missing.length ? JSON.stringify(input.missing) : null,
        last_error: null,
        last_error_at: null,
      });
      await secrets.deleteAll(connectionId, trx, ['access_token', 'refresh_token']);
      await secrets.put(connectionId, 'api_key', input.apiKey, trx);
      if (input.webhookSecret) await secrets.put(connectionId, 'webhook_secret', input.webhookSecret, trx);
      return connectionId;
    });
    // What changed is in the timeline: a rename, a new key, a reconnect.
    const before = previous as Connection | null;
    if (before && before.name !== input.name)
      await recordNote(db, id, `renamed from "${before.name ?? before.accountId}" to "${input.name}"`);
    if (before && input.webhookSecret) await recordNote(db, id, 'webhook signing secret replaced');
    const how = !before
      ? 'API key verified; initial import scheduled'
      : input.replacing
        ? 'API key replaced by support; the import resumes with it'
        : 'reconnected with a new API key after a disconnect; the import resumes';
    if (input.missing.length) {
      await transition(
        db,
        id,
        'permission_missing',
        `${before ? `${how.split(';')[0]}, but the` : 'the'} API key lacks: ${input.missing.join(', ')}`,
      );
    } else {
      await this.startSync(id, how);
    }
    return this.get(id);
  }

  async act(
    id: string,
    action: ConnectionAction,
    by: 'support' | 'the merchant' = 'support',
    options: { resource?: string } = {},
  ): Promise<Connection> {
    const connection = await this.get(id);
    if (!validActions(connection.state, connection.authKind).includes(action) || action === 'reauthorize') {
      throw new ConflictError(`Cannot ${action} a connection that is ${connection.state.replace(/_/g, ' ')}`);
    }
    const { db } = this.deps;
    switch (action) {
      case 'pause':
        this.deps.stopWork?.(id);
        await transition(db, id, 'paused', `paused by ${by}`);
        break;
      case 'resume':
        await this.startSync(id, `resumed by ${by}`);
        break;
      case 'resync':
        if (options.resource && !resourceByName(options.resource)) {
          throw new ValidationError(`Unknown resource "${options.resource}"; one of: ${RESOURCES.map((r) => r.name).join(', ')}`);
        }
        await this.startSync(id, options.resource ? `resync of ${options.resource} requested by ${by}` : `resync requested by ${by}`, {
          full: true,
          resources: options.resource ? [options.resource] : undefined,
        });
        break;
      case 'disconnect':
        await this.disconnect(id, `disconnected by ${by}; stored credentials deleted`);
        break;
    }
    return this.get(id);
  }

  /** Stops the connection's work, deletes its credentials and records why. */
  async disconnect(id: string, reason: string): Promise<void> {
    const { db, secrets } = this.deps;
    this.deps.stopWork?.(id);
    await db.transaction(async (trx) => {
      await secrets.deleteAll(id, trx);
      await updateConnection(trx, id, { token_expires_at: null });
    });
    await transition(db, id, 'disconnected', reason);
  }

  /**
   * An uninstall learned from refused tokens: disconnects only if the refresh token Stripe refused
   * is still the stored one (`refreshVersion`). Deleting it at that version is the check, in the
   * same transaction as the rest, so a reinstall storing new tokens meanwhile is never undone:
   * then nothing happens and this answers false.
   */
  async disconnectUninstalled(id: string, reason: string, refreshVersion: number): Promise<boolean> {
    const { db, secrets } = this.deps;
    const done = await db.transaction(async (trx) => {
      if (!(await secrets.deleteAtVersion(id, 'refresh_token', refreshVersion, trx))) return false;
      await secrets.deleteAll(id, trx);
      await updateConnection(trx, id, { token_expires_at: null });
      await transition(trx, id, 'disconnected', reason);
      return true;
    });
    if (done) this.deps.stopWork?.(id);
    return done;
  }

  /** Moves to `backfilling` and queues the import and live sync for the connection. */
  /** Replaces the signing secret of the merchant's own webhook endpoint; the timeline records it. */
  async rotateWebhookSecret(id: string, secret: string): Promise<Connection> {
    const connection = await this.get(id);
    if (!connection.merchantId) {
      throw new ConflictError('This connection has no merchant webhook endpoint (no merchant id), so it has no signing secret to rotate');
    }
    await this.deps.secrets.put(id, 'webhook_secret', secret);
    await transition(this.deps.db, id, connection.state, 'webhook signing secret replaced by support');
    return this.get(id);
  }

  private async startSync(id: string, reason: string, options: { full?: boolean; resources?: string[] } = {}): Promise<void> {
    await transition(this.deps.db, id, 'backfilling', reason);
    await this.deps.jobs.enqueue(
      'import.start',
      { connectionId: id, full: options.full ?? false, ...(options.resources ? { resources: options.resources } : {}) },
      { key: id },
    );
  }
}

import Stripe from 'stripe';
import type { Config } from '../config.js';
import {
  ACCESS_TOKEN_TTL_MS,
  getConnection,
  leaseTokenRefresh,
  releaseTokenRefresh,
  tokensExpiringBefore,
  transition,
  updateConnection,
} from '../connections/connection-repository.js';
import type { SecretStore } from '../connections/secret-store.js';
import type { Db } from '../db/database.js';
import { ConflictError, NotFoundError, ReauthorizationRequiredError, RefreshBusyError, UninstalledError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import { createStripeClient } from '../stripe/client.js';
import { OAuthTokenError, requestToken } from './token-client.js';

/** Refresh this long before expiry, so that no request goes out with a dying token. */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;
const LEASE_MS = 30_000;

const reauthorizeMessage = (connectionId: string) => `Connection ${connectionId} must be reauthorized by the merchant`;

const UNINSTALL_CONFIRMED_REASON =
  'the merchant uninstalled the app: Stripe refused both the refresh token (invalid_grant) ' +
  'and the access token, which had not expired yet; tokens deleted';

/**
 * OAuth token lifecycle: refresh ahead of expiry or on demand, one refresh per connection at a
 * time (single flight in this process, a database lease across processes), the rotated refresh
 * token persisted in the same transaction that retires the old one.
 */
export class TokenManager {
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(
    private readonly deps: {
      db: Db;
      secrets: SecretStore;
      config: Config;
      logger: Logger;
      /**
       * An uninstall confirmed without its webhook: disconnects the connection and deletes its
       * tokens if the refused refresh token (at this version) is still the stored one; false if not.
       */
      onUninstalled?: (connectionId: string, reason: string, refreshVersion: number) => Promise<boolean>;
    },
  ) {}

  async accessToken(connectionId: string): Promise<string> {
    const connection = await getConnection(this.deps.db, connectionId);
    if (!connection) throw new NotFoundError(`No connection ${connectionId}`);
    if (connection.state === 'reauthorization_required') throw new ReauthorizationRequiredError(reauthorizeMessage(connectionId));
    const token = await this.deps.secrets.get(connectionId, 'access_token');
    if (token && (connection.tokenExpiresAt ?? 0) - Date.now() > REFRESH_MARGIN_MS) return token.value;
    return this.refresh(connectionId);
  }

  /** Refreshes now; concurrent callers for one connection share one token exchange. */
  refresh(connectionId: string): Promise<string> {
    let pending = this.inflight.get(connectionId);
    if (!pending) {
      pending = this.refreshWithLease(connectionId).finally(() => this.inflight.delete(connectionId));
      this.inflight.set(connectionId, pending);
    }
    return pending;
  }

  /** Refreshes every active OAuth connection whose token expires within `withinMs`. */
  async refreshExpiring(withinMs: number): Promise<number> {
    const due = await tokensExpiringBefore(this.deps.db, Date.now() + withinMs);
    for (const id of due) {
      await this.refresh(String(id)).catch((err: unknown) => this.deps.logger.warn({ err, connectionId: id }, 'token refresh failed'));
    }
    return due.length;
  }

  private async refreshWithLease(connectionId: string): Promise<string> {
    const { db } = this.deps;
    const deadline = Date.now() + LEASE_MS;
    for (;;) {
      const now = Date.now();
      if (await leaseTokenRefresh(db, connectionId, now, now + LEASE_MS)) break;
      // Another process is refreshing: wait for it, then use what it stored.
      await new Promise((r) => setTimeout(r, 100));
      const connection = await getConnection(db, connectionId);
      if (
        connection &&
        (connection.tokenRefreshedAt ?? 0) >= now - LEASE_MS &&
        (connection.tokenExpiresAt ?? 0) - Date.now() > REFRESH_MARGIN_MS
      ) {
        const token = await this.deps.secrets.get(connectionId, 'access_token');
        if (token) return token.value;
      }
      if (Date.now() > deadline) throw new RefreshBusyError();
    }
    try {
      return await this.exchange(connectionId);
    } finally {
      await releaseTokenRefresh(db, connectionId);
    }
  }

  private async exchange(connectionId: string): Promise<string> {
    const { db, secrets, config } = this.deps;
    const connection = await getConnection(db, connectionId);
    const refresh = await secrets.get(connectionId, 'refresh_token');
    if (!connection || !refresh) throw new ReauthorizationRequiredError(reauthorizeMessage(connectionId));
    // The platform key of the install's environment (a sandbox install refreshes with the sandbox's).
    const mode = connection.environment;
    let tokens;
    try {
      tokens = await requestToken(config, mode, { grant_type: 'refresh_token', refresh_token: refresh.value });
    } catch (err) {
      if (err instanceof OAuthTokenError && err.error === 'invalid_grant') {
        // A reinstall stored new tokens while this refresh was on its way with the old one: those
        // are good, and the refusal is about tokens the connection no longer has.
        const stored = await secrets.get(connectionId, 'refresh_token');
        const access = await secrets.get(connectionId, 'access_token');
        if (stored && access && stored.value !== refresh.value) return access.value;
      }
      const now = Date.now();
      const message = err instanceof OAuthTokenError ? err.message : `token refresh failed: ${(err as Error).message}`;
      await updateConnection(db, connectionId, { last_error: message, last_error_at: now });
      if (err instanceof OAuthTokenError && err.error === 'invalid_grant') {
        // The uninstall event goes to the app's webhook only; a connector that polls learns of it
        // here. One refusal is not proof (a refresh token can be lost otherwise): the access token
        // must be refused too, before its hour is up, for the tokens to be deleted.
        if (this.deps.onUninstalled && (await this.accessTokenRevoked(connectionId))) {
          if (await this.deps.onUninstalled(connectionId, UNINSTALL_CONFIRMED_REASON, refresh.version))
            throw new UninstalledError(connectionId);
          // A reinstall stored new tokens while we checked: those are the connection's now.
          const fresh = await secrets.get(connectionId, 'access_token');
          if (fresh) return fresh.value;
        }
        await transition(
          db,
          connectionId,
          'reauthorization_required',
          'Stripe refused the refresh token (invalid_grant): the app was uninstalled or access was revoked; the merchant must reinstall',
        );
        throw new ReauthorizationRequiredError(reauthorizeMessage(connectionId));
      }
      throw err;
    }
    const now = Date.now();
    await db.transaction(async (trx) => {
      if (!(await secrets.swap(connectionId, 'refresh_token', tokens.refresh_token, refresh.version, trx))) {
        throw new ConflictError('The refresh token changed during a leased refresh');
      }
      await secrets.put(connectionId, 'access_token', tokens.access_token, trx);
      await updateConnection(trx, connectionId, { token_expires_at: now + ACCESS_TOKEN_TTL_MS, token_refreshed_at: now });
    });
    this.deps.logger.info({ connectionId }, 'access token refreshed');
    return tokens.access_token;
  }

  /**
   * Whether Stripe refuses the stored access token for a reason other than its age: an invalid key
   * (401 without `api_key_expired`) or revoked application access (403 `account_invalid`). An
   * expired token, a network failure or any other answer proves nothing.
   */
  private async accessTokenRevoked(connectionId: string): Promise<boolean> {
    const connection = await getConnection(this.deps.db, connectionId);
    const access = await this.deps.secrets.get(connectionId, 'access_token');
    if (!connection || !access || (connection.tokenExpiresAt ?? 0) <= Date.now()) return false;
    try {
      await createStripeClient(access.value, { apiBase: this.deps.config.stripeApiBase, maxNetworkRetries: 1 }).accounts.retrieveCurrent();
      return false;
    } catch (err) {
      if (err instanceof Stripe.errors.StripeAuthenticationError) return err.code !== 'api_key_expired';
      if (err instanceof Stripe.errors.StripePermissionError || err instanceof Stripe.errors.StripeInvalidRequestError)
        return err.code === 'account_invalid';
      return false;
    }
  }
}

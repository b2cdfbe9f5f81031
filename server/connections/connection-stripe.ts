import type Stripe from 'stripe';
import type { Config } from '../config.js';
import { limitedCall, type CallOptions } from '../stripe/call-policy.js';
import { createStripeClient } from '../stripe/client.js';
import type { AccountRateLimiter, RateLimiters } from '../stripe/rate-limiter.js';
import type { Db } from '../db/database.js';
import { ReauthorizationRequiredError } from '../errors.js';
import { transition, updateConnection, type Connection } from './connection-repository.js';
import type { SecretStore } from './secret-store.js';

/** What this needs of OAuth tokens (oauth/token-manager.ts, a floor above, provides it). */
export interface AccessTokens {
  accessToken(connectionId: string): Promise<string>;
  refresh(connectionId: string): Promise<string>;
}

/**
 * Everything a call to Stripe as one connection needs, in one object: its client, the token
 * refresh on a 401, the account's rate limiter, and `call`, which runs a request under the call
 * policy (limiter, concurrency gate, retries) with all of them.
 */
export interface ConnectionCaller {
  client: () => Stripe;
  refreshAuth: () => Promise<void>;
  limiter: AccountRateLimiter;
  call<T>(endpoint: string, fn: (stripe: Stripe) => Promise<T>, options?: Omit<CallOptions, 'refreshAuth'>): Promise<T>;
}

/**
 * Stripe clients acting as a connection: its OAuth access token (refreshed as needed) or its
 * API key. Long work takes a `session`, whose `refreshAuth` the call policy uses on a 401.
 */
export class ConnectionStripe {
  constructor(private readonly deps: { config: Config; db: Db; secrets: SecretStore; tokens: AccessTokens; limiters: RateLimiters }) {}

  /** The connection's caller (see ConnectionCaller): what import, verification, events and reports use. */
  async caller(connection: Connection): Promise<ConnectionCaller> {
    const session = await this.session(connection);
    const limiter = this.deps.limiters.forConnection(connection);
    return {
      ...session,
      limiter,
      call: (endpoint, fn, options = {}) =>
        limitedCall(limiter, endpoint, () => fn(session.client()), { ...options, refreshAuth: session.refreshAuth }),
    };
  }

  async client(connection: Connection, options: { maxNetworkRetries?: number } = {}): Promise<Stripe> {
    const key =
      connection.authKind === 'oauth'
        ? await this.deps.tokens.accessToken(connection.id)
        : (await this.deps.secrets.get(connection.id, 'api_key'))?.value;
    if (!key) throw new Error(`connection ${connection.id} has no stored credentials`);
    return createStripeClient(key, { apiBase: this.deps.config.stripeApiBase, ...options });
  }

  /**
   * A client for long work under our own retry policy (no SDK retries: every attempt must take
   * a rate-limit token), that swaps in a fresh token when Stripe says the old one expired.
   */
  async session(connection: Connection): Promise<{ client: () => Stripe; refreshAuth: () => Promise<void> }> {
    let current = await this.client(connection, { maxNetworkRetries: 0 });
    return {
      client: () => current,
      refreshAuth: async () => {
        if (connection.authKind !== 'oauth') {
          // API keys do not expire: a 401 means the key was revoked or rolled.
          const reason = 'Stripe refused the API key (revoked or rolled); add a new key to reconnect';
          await updateConnection(this.deps.db, connection.id, { last_error: reason, last_error_at: Date.now() });
          await transition(this.deps.db, connection.id, 'reauthorization_required', reason);
          throw new ReauthorizationRequiredError(reason);
        }
        // A new token. After an uninstall the refresh fails with invalid_grant: the token manager
        // disconnects once the access token is refused too, else asks for reauthorization.
        current = createStripeClient(await this.deps.tokens.refresh(connection.id), {
          apiBase: this.deps.config.stripeApiBase,
          maxNetworkRetries: 0,
        });
      },
    };
  }
}

import { ENVIRONMENTS, type Config, type Environment, type Mode } from '../config.js';
import type { Connection, InstallSource } from '../connections/connection-repository.js';
import type { ConnectionService } from '../connections/connection-service.js';
import type { Logger } from '../logging/logger.js';
import { createStripeClient } from '../stripe/client.js';
import { OAuthTokenError, requestToken, type TokenResponse } from './token-client.js';

/** Turns an exchanged token into a stored connection: who is the account, then save it. */
export class InstallService {
  constructor(private readonly deps: { config: Config; connections: ConnectionService; logger: Logger }) {}

  exchange(mode: Environment, code: string): Promise<TokenResponse> {
    return requestToken(this.deps.config, mode, { grant_type: 'authorization_code', code });
  }

  async complete(mode: Environment, tokens: TokenResponse, source: InstallSource): Promise<Connection> {
    const stripe = createStripeClient(tokens.access_token, { apiBase: this.deps.config.stripeApiBase });
    const account = await stripe.accounts.retrieveCurrent();
    if (account.id !== tokens.stripe_user_id) {
      throw new Error(`token for ${tokens.stripe_user_id} reads account ${account.id}`);
    }
    const name = account.business_profile?.name ?? account.settings?.dashboard?.display_name ?? null;
    return this.deps.connections.saveOAuthInstall({
      mode,
      source,
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      account: { id: account.id, name, country: account.country ?? null },
    });
  }

  /**
   * Installs started from the Marketplace arrive with a code and no `state`. The mode comes from
   * the callback when Stripe says it; otherwise the test key is tried, then the live key, then the
   * managed sandbox's (a code of another environment is refused without being used up). A
   * sandbox install is not live mode, so `livemode=false` tries test and sandbox.
   */
  async marketplace(code: string, modeHint: Mode | undefined): Promise<Connection> {
    const candidates: Environment[] = modeHint === 'live' ? ['live'] : modeHint === 'test' ? ['test', 'sandbox'] : [...ENVIRONMENTS];
    const modes = candidates.filter((m) => this.deps.config.stripe[m].secretKey);
    let lastError: unknown = new OAuthTokenError('not_configured', 'no platform key is configured', 500);
    for (const mode of modes) {
      try {
        const tokens = await this.exchange(mode, code);
        this.deps.logger.info({ mode }, 'marketplace install exchanged');
        return await this.complete(mode, tokens, 'marketplace');
      } catch (err) {
        lastError = err;
        if (!(err instanceof OAuthTokenError && err.error === 'invalid_grant')) throw err;
      }
    }
    throw lastError;
  }
}

import { OAuth2, type oauth2tokenCallback } from 'oauth';
import { Strategy as OAuth2Strategy, type StrategyOptions, type VerifyCallback, type VerifyFunction } from 'passport-oauth2';
import type { Request } from 'express';
import type { Config, Environment } from '../config.js';
import type { Connection } from '../connections/connection-repository.js';
import type { InstallService } from './install-service.js';
import type { OAuthStateStore } from './state-store.js';
import { OAuthTokenError, type TokenResponse } from './token-client.js';

/**
 * The code exchange as Stripe Apps wants it (Basic auth with the platform key of this mode, on
 * api.stripe.com; token-client.ts), in place of the generic client_id/client_secret form post.
 * `getOAuthAccessToken` is the `oauth` library's public method, and passport-oauth2 documents its
 * `_oauth2` as the place subclasses put their client.
 */
class StripeAppsTokenExchange extends OAuth2 {
  constructor(
    clientId: string,
    secretKey: string,
    authorizeUrl: string,
    tokenUrl: string,
    private readonly exchange: (code: string) => Promise<TokenResponse>,
  ) {
    super(clientId, secretKey, '', authorizeUrl, tokenUrl);
  }

  override getOAuthAccessToken(code: string, params: unknown, callback: oauth2tokenCallback): void;
  override getOAuthAccessToken(code: string, callback: oauth2tokenCallback): void;
  override getOAuthAccessToken(code: string, paramsOrCallback: unknown, last?: oauth2tokenCallback): void {
    const callback = (typeof paramsOrCallback === 'function' ? paramsOrCallback : last) as oauth2tokenCallback;
    this.exchange(code).then(
      // The library's own callbacks pass null on success; its types leave that out.
      (tokens) => callback(null as unknown as Error, tokens.access_token, tokens.refresh_token, tokens),
      (err: unknown) => {
        const e = err instanceof OAuthTokenError ? err : new OAuthTokenError('token_request_failed', (err as Error).message, 502);
        callback({ statusCode: e.status, data: JSON.stringify({ error: e.error, error_description: e.description }) });
      },
    );
  }
}

/**
 * passport-oauth2 runs the authorization-code dance (authorize redirect, state check, callback);
 * two things are Stripe Apps' own: `state` lives in our database (single use, ten minutes), and
 * the code exchange is Stripe's (StripeAppsTokenExchange).
 */
class StripeAppsStrategy extends OAuth2Strategy {
  constructor(options: StrategyOptions, verify: VerifyFunction, exchange: StripeAppsTokenExchange) {
    super(options, verify);
    this._oauth2 = exchange;
  }
}

export function createStripeAppsStrategy(
  mode: Environment,
  deps: { config: Config; states: OAuthStateStore; installs: InstallService },
): OAuth2Strategy {
  const settings = deps.config.stripe[mode];
  const clientID = settings.clientId ?? 'unconfigured';
  const tokenURL = `${deps.config.stripeApiBase ?? 'https://api.stripe.com'}/v1/oauth/token`;
  // Stripe Apps' client secret is the platform's secret key of the mode: the exchange sends it as Basic auth.
  const exchange = new StripeAppsTokenExchange(clientID, settings.secretKey ?? '', settings.authorizeUrl, tokenURL, (code) =>
    deps.installs.exchange(mode, code),
  );
  const strategy = new StripeAppsStrategy(
    {
      authorizationURL: settings.authorizeUrl,
      tokenURL,
      clientID,
      clientSecret: settings.secretKey ?? '',
      callbackURL: `${deps.config.publicUrl}/oauth/callback`,
      skipUserProfile: true,
      store: {
        store: (_req: Request, _state: unknown, _meta: unknown, done: (err: Error | null, state?: string) => void) => {
          deps.states.issue(mode).then((s) => done(null, s), done);
        },
        verify: (_req: Request, provided: string, _meta: unknown, done: (err: Error | null, ok?: boolean, info?: unknown) => void) => {
          deps.states
            .consume(provided)
            .then(
              (check) =>
                check.ok && check.mode === mode
                  ? done(null, true, { mode })
                  : done(null, false, { message: check.ok ? 'mode' : check.reason }),
              done,
            );
        },
      },
    } as unknown as StrategyOptions,
    (_access: string, _refresh: string, results: TokenResponse, _profile: unknown, done: VerifyCallback) => {
      deps.installs.complete(mode, results, 'oauth_install').then(
        (c: Connection) => done(null, c),
        (err: Error) => done(err),
      );
    },
    exchange,
  );
  strategy.name = `stripe-apps-${mode}`;
  return strategy;
}

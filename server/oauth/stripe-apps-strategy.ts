import { Strategy as OAuth2Strategy, type StrategyOptions, type VerifyCallback } from 'passport-oauth2';
import type { Request } from 'express';
import type { Config, Environment } from '../config.js';
import type { Connection } from '../connections/connection-repository.js';
import type { InstallService } from './install-service.js';
import type { OAuthStateStore } from './state-store.js';
import { OAuthTokenError, type TokenResponse } from './token-client.js';

type TokenCallback = (err: { statusCode: number; data: string } | null, accessToken?: string, refreshToken?: string, results?: TokenResponse) => void;

/**
 * passport-oauth2 runs the authorization-code dance (authorize redirect, state check, callback);
 * two things are Stripe Apps' own: `state` lives in our database (single use, ten minutes), and
 * the code exchange is Stripe's (Basic auth with the platform key of this mode), not the generic
 * client_id/client_secret form post.
 */
export function createStripeAppsStrategy(mode: Environment, deps: { config: Config; states: OAuthStateStore; installs: InstallService }): OAuth2Strategy {
  const settings = deps.config.stripe[mode];
  const strategy = new OAuth2Strategy(
    {
      authorizationURL: settings.authorizeUrl,
      tokenURL: `${deps.config.stripeApiBase ?? 'https://api.stripe.com'}/v1/oauth/token`,
      clientID: settings.clientId ?? 'unconfigured',
      clientSecret: 'unused',
      callbackURL: `${deps.config.publicUrl}/oauth/callback`,
      skipUserProfile: true,
      store: {
        store: (_req: Request, _state: unknown, _meta: unknown, done: (err: Error | null, state?: string) => void) => {
          deps.states.issue(mode).then((s) => done(null, s), done);
        },
        verify: (_req: Request, provided: string, _meta: unknown, done: (err: Error | null, ok?: boolean, info?: unknown) => void) => {
          deps.states.consume(provided).then(
            (check) => (check.ok && check.mode === mode ? done(null, true, { mode }) : done(null, false, { message: check.ok ? 'mode' : check.reason })),
            done,
          );
        },
      },
    } as unknown as StrategyOptions,
    (_access: string, _refresh: string, results: TokenResponse, _profile: unknown, done: VerifyCallback) => {
      deps.installs.complete(mode, results, 'oauth_install').then((c: Connection) => done(null, c), (err: Error) => done(err));
    },
  );
  strategy.name = `stripe-apps-${mode}`;
  const oauth2 = (strategy as unknown as { _oauth2: { getOAuthAccessToken: (code: string, params: unknown, cb: TokenCallback) => void } })._oauth2;
  oauth2.getOAuthAccessToken = (code, _params, callback) => {
    deps.installs.exchange(mode, code).then(
      (tokens) => callback(null, tokens.access_token, tokens.refresh_token, tokens),
      (err: unknown) => {
        const e = err instanceof OAuthTokenError ? err : new OAuthTokenError('token_request_failed', (err as Error).message, 502);
        callback({ statusCode: e.status, data: JSON.stringify({ error: e.error, error_description: e.description }) });
      },
    );
  };
  return strategy;
}

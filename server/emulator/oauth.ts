import type { EventBus } from './events.js';
import { OAuthError } from './errors.js';
import * as objects from './objects.js';
import { modeOfEnvironment, type EmulatorState, type Environment, type Mode } from './state.js';

export interface AppRegistration {
  // Mutable through the control API (`POST /_emulator/app`).
  name: string;
  /** One client id per environment; the managed sandbox's is its own (Stripe: sandbox installs). */
  clientIds: Record<Environment, string>;
  redirectUris: string[];
  permissions: string[];
}

interface Grant {
  code: string;
  account: string;
  environment: Environment;
  expiresAt: number;
  used: boolean;
}

interface Installation {
  account: string;
  mode: Mode;
  environment: Environment;
  refreshToken: string;
  accessTokens: string[];
  installedAt: number;
}

/**
 * Stripe Apps OAuth as the facts page describes it: codes single-use and short-lived; token
 * exchange with HTTP Basic auth of the platform key of the code's mode; access tokens that expire;
 * refresh tokens that rotate, the old one then failing with invalid_grant.
 */
export class OAuthServer {
  private readonly grants = new Map<string, Grant>();
  private readonly installations = new Map<string, Installation>();

  constructor(
    private readonly state: EmulatorState,
    private readonly bus: EventBus,
    readonly app: AppRegistration,
  ) {}

  environmentOfClient(clientId: string): Environment | undefined {
    return (Object.entries(this.app.clientIds) as [Environment, string][]).find(([, id]) => id === clientId)?.[0];
  }

  /** The merchant approved the install: a code for the redirect. */
  approve(account: string, environment: Environment): string {
    // Approving installs the app; the tokens come with the code exchange.
    const mode = modeOfEnvironment(environment);
    const key = `${account}:${mode}`;
    if (!this.installations.has(key)) {
      this.installations.set(key, { account, mode, environment, refreshToken: '', accessTokens: [], installedAt: this.state.now() });
      this.bus.emit(account, mode, 'account.application.authorized', this.application(mode));
    }
    const code = this.state.random.id('ac_');
    this.grants.set(code, {
      code,
      account,
      environment,
      expiresAt: this.state.now() + this.state.settings.authorizationCodeTtlSeconds,
      used: false,
    });
    return code;
  }

  /** POST /v1/oauth/token */
  token(platformKey: string | undefined, body: Record<string, unknown>) {
    const caller = platformKey ? this.state.keys.get(platformKey) : undefined;
    if (!caller || caller.kind !== 'platform' || caller.revoked) {
      throw new OAuthError(401, 'invalid_client', 'No valid API key provided; use HTTP Basic auth with your platform secret key.');
    }
    // The managed sandbox's platform key exchanges sandbox installs, and only those.
    const environment: Environment = caller.account === this.state.sandboxPlatform.id ? 'sandbox' : caller.mode;
    if (body.grant_type === 'authorization_code') return this.exchangeCode(environment, String(body.code ?? ''));
    if (body.grant_type === 'refresh_token') return this.refresh(environment, String(body.refresh_token ?? ''));
    throw new OAuthError(400, 'unsupported_grant_type', `Unsupported grant type: ${String(body.grant_type)}`);
  }

  private exchangeCode(environment: Environment, code: string) {
    const grant = this.grants.get(code);
    if (!grant) throw new OAuthError(400, 'invalid_grant', `Authorization code does not exist: ${code}`);
    if (grant.used) throw new OAuthError(400, 'invalid_grant', `Authorization code has already been used: ${code}`);
    if (grant.expiresAt <= this.state.now()) throw new OAuthError(400, 'invalid_grant', `Authorization code expired: ${code}`);
    if (grant.environment !== environment) {
      throw new OAuthError(
        400,
        'invalid_grant',
        `Authorization code provided does not belong to you (${grant.environment} code, ${environment} key).`,
      );
    }
    grant.used = true;
    const installation = this.installations.get(`${grant.account}:${modeOfEnvironment(environment)}`);
    if (!installation) throw new OAuthError(400, 'invalid_grant', 'The app was uninstalled from this account.');
    // A new exchange replaces earlier tokens of the same installation.
    this.revoke(installation);
    return this.issue(installation);
  }

  private refresh(environment: Environment, refreshToken: string) {
    const installation = [...this.installations.values()].find((i) => i.refreshToken === refreshToken && i.environment === environment);
    if (!installation) throw new OAuthError(400, 'invalid_grant', `Invalid refresh token: ${refreshToken.slice(0, 8)}…`);
    return this.issue(installation);
  }

  private issue(installation: Installation) {
    const { account, mode } = installation;
    const access = this.state.addKey({
      kind: 'oauth',
      account,
      mode,
      permissions: new Set(this.app.permissions),
      expiresAt: this.state.now() + this.state.settings.tokenTtlSeconds,
    });
    installation.accessTokens.push(access.key);
    installation.refreshToken = this.state.random.id('rt_');
    const publishable = this.state.keysOf(account, mode, 'secret')[0]?.key.replace(/^sk_/, 'pk_') ?? null;
    return {
      access_token: access.key,
      refresh_token: installation.refreshToken,
      stripe_user_id: account,
      livemode: mode === 'live',
      scope: 'stripe_apps',
      token_type: 'bearer',
      stripe_publishable_key: publishable,
    };
  }

  /**
   * The merchant uninstalls: every token stops working and the app hears about it, at its own
   * webhook endpoint only. The app can no longer read the merchant's events (its tokens are gone),
   * so the event is not listed there: a connector that only polls never sees it.
   */
  uninstall(account: string, mode: Mode): boolean {
    const installation = this.installations.get(`${account}:${mode}`);
    if (!installation) return false;
    this.revoke(installation);
    this.installations.delete(`${account}:${mode}`);
    this.bus.emit(account, mode, 'account.application.deauthorized', this.application(mode), { listed: false });
    return true;
  }

  installed(): { account: string; mode: Mode }[] {
    return [...this.installations.values()].map(({ account, mode }) => ({ account, mode }));
  }

  isInstalled(account: string, mode: Mode): boolean {
    return this.installations.has(`${account}:${mode}`);
  }

  private revoke(installation: Installation): void {
    for (const token of installation.accessTokens) {
      const record = this.state.keys.get(token);
      if (record) record.revoked = true;
    }
    installation.refreshToken = '';
  }

  private application(mode: Mode) {
    return objects.build('application', { id: this.app.clientIds[mode], name: this.app.name });
  }
}

import Stripe from 'stripe';
import { modeOf, type Config, type Mode } from '../config.js';
import { ValidationError } from '../errors.js';
import { limitedCall } from '../stripe/call-policy.js';
import { createStripeClient } from '../stripe/client.js';
import type { RateLimiters } from '../stripe/rate-limiter.js';
import type { ApiKeyConnectBody } from '../../shared/contracts/support-api.js';
import type { Connection } from './connection-repository.js';
import type { ConnectionService } from './connection-service.js';
import { probePermissions } from './permission-probe.js';

const KEY_SHAPE = /^(sk|rk)_(test|live)_[A-Za-z0-9]{10,}$/;

export interface ApiKeyConnectResult {
  connection: Connection;
  warnings: string[];
}

/** Why a key of this shape cannot be used, or null when the shape is right. */
function keyShapeProblem(key: string): string | null {
  if (/^pk_(test|live)_/.test(key)) return 'This is a publishable key (pk_…); it cannot read payments. Use a restricted key (rk_…).';
  if (/^whsec_/.test(key)) return 'This is a webhook signing secret (whsec_…), not an API key; use a restricted key (rk_…).';
  if (!KEY_SHAPE.test(key)) return 'The API key must be a restricted key (rk_live_… or rk_test_…) or a secret key (sk_…).';
  return null;
}

/**
 * The seed's second way to connect: a name and an API key. The key is checked against
 * `GET /v1/account`, then every read we depend on is probed; missing permissions put the
 * connection in `permission_missing`, naming each, instead of importing less in silence.
 */
export async function connectWithApiKey(
  config: Config,
  service: ConnectionService,
  limiters: RateLimiters,
  input: ApiKeyConnectBody,
  /** A replacement key must belong to the connection it replaces the key of. */
  replacing?: Connection,
): Promise<ApiKeyConnectResult> {
  const problem = keyShapeProblem(input.api_key);
  if (problem) throw new ValidationError(problem, { field: 'api_key' });
  const mode: Mode = input.api_key.includes('_live_') ? 'live' : 'test';
  const stripe = createStripeClient(input.api_key, { apiBase: config.stripeApiBase, maxNetworkRetries: 0 });
  // The account is not known yet: pace these first calls under a limiter of their own key.
  const limiter = limiters.for(`key:${input.api_key.slice(-12)}`, mode);

  let account: Stripe.Account;
  try {
    account = await limitedCall(limiter, 'account', () => stripe.accounts.retrieveCurrent(), { maxAttempts: 5 });
  } catch (err) {
    if (err instanceof Stripe.errors.StripeAuthenticationError) {
      throw new ValidationError('Stripe rejected this API key: it is revoked, expired or mistyped.', { field: 'api_key' });
    }
    if (err instanceof Stripe.errors.StripePermissionError) {
      throw new ValidationError(
        'This key cannot read the account (connected_account_read); grant it read access to Account so we can identify the account.',
        { field: 'api_key' },
      );
    }
    throw err;
  }
  if (replacing && (account.id !== replacing.accountId || (mode === 'live') !== replacing.livemode)) {
    throw new ValidationError(
      `This key is for ${account.id} in ${mode} mode, but the connection is ${replacing.accountId} in ${modeOf(replacing.livemode)} mode.`,
      { field: 'api_key' },
    );
  }
  const { missing } = await probePermissions(stripe, limiters.for(account.id, mode));
  const connection = await service.saveApiKeyConnection({
    mode,
    account: { id: account.id, name: input.name, country: account.country ?? null },
    apiKey: input.api_key,
    name: input.name,
    merchantId: input.merchant_id,
    webhookSecret: input.webhook_secret,
    missing: [...new Set(missing.map((m) => m.permission))],
    replacing: replacing?.id,
  });
  const warnings: string[] = [];
  if (input.api_key.startsWith('sk_')) {
    warnings.push('A full secret key can change your Stripe account. Prefer a restricted key (rk_…) with read-only permissions.');
  }
  return { connection, warnings };
}

import { z } from 'zod';
import type { Config, Environment } from '../config.js';

const STRIPE_API = 'https://api.stripe.com';

const tokenResponse = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  stripe_user_id: z.string().startsWith('acct_'),
  livemode: z.boolean(),
  scope: z.string().optional(),
  token_type: z.string().optional(),
});

export type TokenResponse = z.infer<typeof tokenResponse>;

/** An OAuth error answered by Stripe (`{error, error_description}`), e.g. invalid_grant. */
export class OAuthTokenError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status: number,
  ) {
    super(`${error}: ${description}`);
    this.name = 'OAuthTokenError';
  }
}

/**
 * `POST {api}/v1/oauth/token` as Stripe Apps wants it: form body, HTTP Basic with the platform
 * secret key of the mode. Not stripe-node's `oauth.token()`, which posts to the Connect host
 * where Marketplace codes are rejected (reference/stripe-facts.md).
 */
export async function requestToken(
  config: Config,
  mode: Environment,
  form: { grant_type: 'authorization_code'; code: string } | { grant_type: 'refresh_token'; refresh_token: string },
): Promise<TokenResponse> {
  const key = config.stripe[mode].secretKey;
  if (!key) throw new OAuthTokenError('not_configured', `STRIPE_SECRET_KEY_${mode.toUpperCase()} is not set`, 500);
  const res = await fetch(`${(config.stripeApiBase ?? STRIPE_API).replace(/\/+$/, '')}/v1/oauth/token`, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
      'Stripe-Version': '2026-10-28.endive',
    },
    body: new URLSearchParams(form),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const error = typeof body.error === 'string' ? body.error : 'token_request_failed';
    throw new OAuthTokenError(error, String(body.error_description ?? `HTTP ${res.status}`), res.status);
  }
  const parsed = tokenResponse.safeParse(body);
  if (!parsed.success)
    throw new OAuthTokenError('invalid_response', 'Stripe answered the token request with an unexpected body', res.status);
  if (parsed.data.livemode !== (mode === 'live')) {
    throw new OAuthTokenError('mode_mismatch', `a ${mode}-mode exchange returned livemode=${parsed.data.livemode}`, res.status);
  }
  return parsed.data;
}

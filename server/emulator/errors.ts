/** An error answered the way Stripe answers it: status, `{error: {...}}`, optional headers. */
export class StripeError extends Error {
  constructor(
    readonly status: number,
    readonly body: { type: string; message: string; code?: string; param?: string; decline_code?: string },
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
  }

  toJSON() {
    const docUrl = this.body.code ? `https://stripe.com/docs/error-codes/${this.body.code.replace(/_/g, '-')}` : undefined;
    return { error: { ...this.body, ...(docUrl ? { doc_url: docUrl } : {}) } };
  }
}

/** OAuth endpoints answer in the OAuth shape: `{error, error_description}`. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

export const mask = (key: string) => `${key.slice(0, 8)}${'*'.repeat(12)}${key.slice(-4)}`;

export const errors = {
  noKey: () =>
    new StripeError(401, {
      type: 'invalid_request_error',
      message: 'You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth.',
    }),
  invalidKey: (key: string) => new StripeError(401, { type: 'invalid_request_error', message: `Invalid API Key provided: ${mask(key)}` }),
  expiredKey: (key: string) =>
    new StripeError(401, { type: 'invalid_request_error', code: 'api_key_expired', message: `Expired API Key provided: ${mask(key)}` }),
  noAccountAccess: (key: string, account: string) =>
    new StripeError(403, {
      type: 'invalid_request_error',
      code: 'account_invalid',
      message:
        `The provided key '${mask(key)}' does not have access to account '${account}' (or that account does not exist). ` +
        'Application access may have been revoked.',
    }),
  permission: (key: string, account: string, permission: string) =>
    new StripeError(403, {
      type: 'invalid_request_error',
      message:
        `The provided key '${mask(key)}' does not have the required permissions for this endpoint on account '${account}'. ` +
        `Having the '${permission}' permission would allow this request to continue.`,
    }),
  missing: (resource: string, id: string, param = 'id') =>
    new StripeError(404, { type: 'invalid_request_error', code: 'resource_missing', param, message: `No such ${resource}: '${id}'` }),
  /** A 400 for one parameter. `code` only where Stripe sets one (its codes are the SDK's
   *  `Code` union: parameter_unknown, parameter_missing, parameter_invalid_integer, …); an
   *  invalid value Stripe has no code for is answered without one. */
  invalid: (param: string, message: string, code?: string) =>
    new StripeError(400, { type: 'invalid_request_error', ...(code ? { code } : {}), param, message }),
  unknownRoute: (method: string, path: string) =>
    new StripeError(404, {
      type: 'invalid_request_error',
      message:
        `Unrecognized request URL (${method}: ${path}). ` +
        'Please see https://stripe.com/docs or we can help at https://support.stripe.com/.',
    }),
  rateLimited: (reason: string) =>
    new StripeError(
      429,
      {
        type: 'invalid_request_error',
        code: 'rate_limit',
        message: 'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
      },
      { 'Stripe-Rate-Limited-Reason': reason },
    ),
  api: (status: number) =>
    new StripeError(status, { type: 'api_error', message: 'An unknown error occurred on our side (emulated fault).' }),
};

/**
 * Every `error.code` the backend answers with (`{error: {code, message, request_id}}`), and when.
 * Closed: `AppError` (server/errors.ts) accepts only these, and clients may switch on them.
 */
export const ERROR_CODES = {
  invalid_request: "a parameter or body field breaks its route's rules (the message names it)",
  invalid_json: 'the body is not JSON',
  invalid_body: 'the body cannot be read (too large, or the wrong encoding)',
  invalid_signature: "a webhook's Stripe-Signature is missing, wrong, expired or dated in the future",
  invalid_event: 'a validly signed webhook body is not a Stripe event',
  unauthorized: 'no valid credential: support token, console session or app signature',
  forbidden: 'a console change without its CSRF token',
  not_found: 'no such route, connection or asset',
  not_connected: 'the app asked about an account that is not connected (details carry install_url)',
  conflict: 'the change contradicts what is stored (an account already connected, a merchant id taken)',
  rate_limited: 'too many failed credentials from this address (details carry retry_after)',
  reauthorization_required: "Stripe refuses the connection's credentials; the merchant must reinstall or support add a new key",
  disconnected: "the merchant uninstalled the app; the connection's tokens are deleted",
  refresh_busy: 'another process holds the token refresh; retry shortly',
  unavailable: 'the database (or another dependency) is unavailable; retry later',
  internal_error: 'anything else; the message never says more, the log has the request id',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

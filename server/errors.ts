import type { ErrorCode } from '../shared/contracts/errors.js';

/**
 * The one family of errors the backend raises on purpose, each with a code from the closed list in
 * shared/contracts/errors.ts. Exactly one middleware turns them into `{error: {code, message}}`;
 * anything that is not an AppError becomes a 500 whose message is never shown to the caller.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status = 500,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that breaks a rule: a bad parameter, body field or value (400). */
export class ValidationError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('invalid_request', message, 400, details);
  }
}

/** No valid support token, console session or app signature (401). */
export class UnauthorizedError extends AppError {
  constructor(message = 'Authentication required') {
    super('unauthorized', message, 401);
  }
}

/** Authenticated, but not allowed this way: a console change without its CSRF token (403). */
export class ForbiddenError extends AppError {
  constructor(message = 'Not allowed') {
    super('forbidden', message, 403);
  }
}

/** No such route, connection, run or asset (404). */
export class NotFoundError extends AppError {
  constructor(message = 'Not found') {
    super('not_found', message, 404);
  }
}

/** The change contradicts what is stored, or lost a race to another writer (409). */
export class ConflictError extends AppError {
  constructor(message: string) {
    super('conflict', message, 409);
  }
}

/** The database or another dependency is down; the caller should retry (503). */
export class UnavailableError extends AppError {
  constructor(message = 'Temporarily unavailable, retry later') {
    super('unavailable', message, 503);
  }
}

/** A webhook's signature is missing, wrong, expired or dated in the future (400). */
export class SignatureError extends AppError {
  constructor(message: string) {
    super('invalid_signature', message, 400);
  }
}

/** A validly signed webhook body that is not a Stripe event (400). */
export class InvalidEventError extends AppError {
  constructor(reason: string) {
    super('invalid_event', `The signed body is not a Stripe event: ${reason}`, 400);
  }
}

/** The Stripe App asked about an account that is not connected; says where to install (404). */
export class NotConnectedError extends AppError {
  constructor(installUrl: string) {
    super('not_connected', 'This account is not connected yet', 404, { install_url: installUrl });
  }
}

/** Too many failed credentials from one address (429; the route sets Retry-After). */
export class TooManyFailuresError extends AppError {
  constructor(retryAfterSeconds: number) {
    super('rate_limited', `Too many failed attempts from this address; try again in ${retryAfterSeconds} s`, 429, {
      retry_after: retryAfterSeconds,
    });
  }
}

/** Stripe refuses the connection's credentials for good: the merchant must reinstall, or support add a key (409). */
export class ReauthorizationRequiredError extends AppError {
  constructor(message: string) {
    super('reauthorization_required', message, 409);
  }
}

/** The merchant uninstalled the app; the connection's tokens are deleted (409). */
export class UninstalledError extends AppError {
  constructor(connectionId: string) {
    super('disconnected', `Connection ${connectionId} was uninstalled by the merchant; its tokens are deleted`, 409);
  }
}

/** Another process holds the token refresh lease past the wait (503; retry shortly). */
export class RefreshBusyError extends AppError {
  constructor() {
    super('refresh_busy', 'Another process holds the token refresh lease', 503);
  }
}

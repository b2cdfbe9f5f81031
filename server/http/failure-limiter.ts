import type { Request, Response } from 'express';
import { TooManyFailuresError } from '../errors.js';

export interface FailureLimit {
  /** Failed attempts a client address may make per window. */
  max: number;
  windowMs: number;
}

/** Ten wrong support tokens a minute from one address; a person mistyping needs far fewer. */
export const DEFAULT_FAILURE_LIMIT: FailureLimit = { max: 10, windowMs: 60_000 };
/** Addresses remembered at most; past it, finished windows are forgotten first. */
const MAX_CLIENTS = 10_000;

/**
 * Failed credentials (console logins, support bearer tokens) per client address. Once an address
 * has failed `max` times in a window, every attempt from it is answered 429 until the window ends,
 * right or wrong: answering a right guess differently would let the guessing go on.
 */
export class FailureLimiter {
  private readonly clients = new Map<string, { failures: number; resetAt: number }>();

  constructor(private readonly limit: FailureLimit = DEFAULT_FAILURE_LIMIT) {}

  /** Throws (with `Retry-After` set) while the request's address is locked out. */
  check(req: Request, res: Response): void {
    const entry = this.clients.get(this.address(req));
    const now = Date.now();
    if (!entry || entry.resetAt <= now || entry.failures < this.limit.max) return;
    const seconds = Math.max(1, Math.ceil((entry.resetAt - now) / 1000));
    res.setHeader('Retry-After', String(seconds));
    throw new TooManyFailuresError(seconds);
  }

  failed(req: Request): void {
    const key = this.address(req);
    const now = Date.now();
    const entry = this.clients.get(key);
    if (entry && entry.resetAt > now) {
      entry.failures++;
      return;
    }
    if (this.clients.size >= MAX_CLIENTS) {
      for (const [k, e] of this.clients) if (e.resetAt <= now) this.clients.delete(k);
      if (this.clients.size >= MAX_CLIENTS) this.clients.delete(this.clients.keys().next().value!);
    }
    this.clients.set(key, { failures: 1, resetAt: now + this.limit.windowMs });
  }

  private address(req: Request): string {
    return req.ip ?? req.socket.remoteAddress ?? 'unknown';
  }
}

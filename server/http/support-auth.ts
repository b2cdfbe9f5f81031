import { createHash, timingSafeEqual } from 'node:crypto';
import { parse as parseCookies } from 'cookie';
import type { Request, RequestHandler } from 'express';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import type { SupportSession, SupportSessions } from '../support/session-store.js';
import type { FailureLimiter } from './failure-limiter.js';

export const SESSION_COOKIE = 'pi_support_session';
const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time comparison (hashes make the lengths equal). */
function sameSecret(given: string | undefined, expected: string): boolean {
  return given !== undefined && timingSafeEqual(digest(given), digest(expected));
}

/** Whether a support token is one of SUPPORT_TOKENS; every candidate is compared. */
export function isSupportToken(tokens: string[], given: string): boolean {
  let ok = false;
  for (const token of tokens) if (sameSecret(given, token)) ok = true;
  return ok;
}

const sessionIdOf = (req: Request): string | undefined => parseCookies(req.headers.cookie ?? '')[SESSION_COOKIE];

/** The console session behind a request, or null. */
export async function sessionOf(req: Request, sessions: SupportSessions): Promise<(SupportSession & { id: string }) | null> {
  const id = sessionIdOf(req);
  const session = id ? await sessions.find(id) : null;
  return session && id ? { ...session, id } : null;
}

/**
 * Support staff are either a script with `Authorization: Bearer <token>` or the console with its
 * session cookie. A cookie is sent by the browser on its own, so the console's unsafe requests
 * must also echo the session's CSRF token (SameSite=Strict is the first line, this the second).
 */
export function supportAuth(tokens: string[], sessions: SupportSessions, failures: FailureLimiter): RequestHandler {
  return async (req, res, next) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (bearer) {
      try {
        failures.check(req, res);
      } catch (err) {
        return next(err);
      }
      if (isSupportToken(tokens, bearer[1]!)) return next();
      failures.failed(req);
    } else {
      const session = await sessionOf(req, sessions);
      if (session) {
        res.locals.supportSession = session;
        if (SAFE_METHODS.has(req.method) || sameSecret(req.get(CSRF_HEADER), session.csrfToken)) return next();
        return next(new ForbiddenError("This action needs the console's CSRF token (X-CSRF-Token); reload the page and try again"));
      }
    }
    res.setHeader('WWW-Authenticate', 'Bearer realm="support"');
    next(new UnauthorizedError('Log in to the support console, or send a valid support token (Authorization: Bearer …)'));
  };
}

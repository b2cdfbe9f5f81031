import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { UnauthorizedError } from '../errors.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Bearer token from SUPPORT_TOKENS, compared in constant time (hashes make lengths equal). */
export function supportAuth(tokens: string[]): RequestHandler {
  const expected = tokens.map(digest);
  return (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const given = match ? digest(match[1]!) : null;
    let ok = false;
    for (const e of expected) if (given && timingSafeEqual(given, e)) ok = true;
    if (!ok) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="support"');
      return next(new UnauthorizedError('A valid support token is required (Authorization: Bearer …)'));
    }
    next();
  };
}

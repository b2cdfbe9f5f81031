import { createHash } from 'node:crypto';
import express, { type RequestHandler } from 'express';
import type { SignatureUses } from '../app-api/signature-uses.js';
import { UnauthorizedError } from '../errors.js';
import { checkSignature, signatureTime, SIGNATURE_TOLERANCE_SECONDS } from '../stripe/signatures.js';
import { appIdentity, signedPayload, signedTarget, type AppIdentity } from '../../shared/contracts/app-api.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** The account an `/api/app` request acts for, taken from the signed payload only. */
    appIdentity?: AppIdentity;
    /** The body exactly as sent, for the digest the signature binds. */
    rawBody?: Buffer;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** JSON bodies for `/api/app`, keeping the bytes the signature's digest covers. */
export const appJson = express.json({
  limit: '16kb',
  verify: (req, _res, buf) => void ((req as { rawBody?: Buffer }).rawBody = Buffer.from(buf)),
});

/**
 * Requests from the UI extension: `Stripe-Signature` from `fetchStripeSignature(additional)` over
 * `{user_id, account_id, mode, method, path, body_sha256}` (shared/contracts/app-api.ts), checked
 * against every app signing secret (rotation), within 300 s of now in either direction. The
 * identity comes as query parameters (GET) or in the JSON body. A signature covers one method,
 * target (below `/api/app`, so a proxy's prefix does not matter) and body; a state-changing one
 * is accepted once.
 */
export function appAuth(secrets: string[], uses: SignatureUses): RequestHandler {
  return async (req, _res, next) => {
    try {
      const source = SAFE_METHODS.has(req.method) ? req.query : req.body;
      const parsed = appIdentity.safeParse({ user_id: source?.user_id, account_id: source?.account_id, mode: source?.mode });
      const header = req.get('stripe-signature');
      if (!parsed.success || !header) return next(new UnauthorizedError('A signed request from the Stripe App is required'));
      const payload = signedPayload(parsed.data, {
        method: req.method,
        path: signedTarget(req.url),
        body_sha256: sha256(SAFE_METHODS.has(req.method) ? '' : (req.rawBody ?? '')),
      });
      const check = checkSignature(payload, header, secrets);
      if (check === 'future') return next(new UnauthorizedError('The request signature is dated in the future'));
      if (check !== 'valid') return next(new UnauthorizedError('The request signature is not valid for this account and request'));
      if (!SAFE_METHODS.has(req.method)) {
        const expiresAt = (signatureTime(header)! + SIGNATURE_TOLERANCE_SECONDS + 1) * 1000;
        if (!(await uses.claim(header, expiresAt)))
          return next(new UnauthorizedError('This signed request was already used; sign a new one'));
      }
      req.appIdentity = parsed.data;
      next();
    } catch (err) {
      next(err);
    }
  };
}

/** The extension runs with a null origin: allow any origin, the signature is the credential. */
export const appCors: RequestHandler = (req, res, next) => {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Allow-Headers', 'Stripe-Signature, Content-Type');
  res.setHeader('Access-Control-Allow-Methods', 'GET, PUT, POST, OPTIONS');
  if (req.method === 'OPTIONS') return void res.status(204).end();
  next();
};

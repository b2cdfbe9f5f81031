import type { RequestHandler } from 'express';
import { signatureVerifier } from '../stripe/client.js';
import { UnauthorizedError } from '../errors.js';
import { appIdentity, signedPayload, type AppIdentity } from '../../shared/contracts/app-api.js';


declare module 'express-serve-static-core' {
  interface Request {
    /** The account an `/api/app` request acts for, taken from the signed payload only. */
    appIdentity?: AppIdentity;
  }
}

/**
 * Requests from the UI extension: `Stripe-Signature` from `fetchStripeSignature({mode})` over
 * `{user_id, account_id, mode}` (GET sends them as query parameters, other methods in the JSON
 * body), checked against every app signing secret (rotation), 300 s tolerance.
 */
export function appAuth(secrets: string[]): RequestHandler {
  return (req, _res, next) => {
    const source = req.method === 'GET' ? req.query : req.body;
    const parsed = appIdentity.safeParse({ user_id: source?.user_id, account_id: source?.account_id, mode: source?.mode });
    const header = req.get('stripe-signature');
    if (!parsed.success || !header) return next(new UnauthorizedError('A signed request from the Stripe App is required'));
    const payload = signedPayload(parsed.data);
    const ok = secrets.some((secret) => {
      try {
        return signatureVerifier.webhooks.signature!.verifyHeader(payload, header, secret, 300) === true;
      } catch {
        return false;
      }
    });
    if (!ok) return next(new UnauthorizedError('The request signature is not valid for this account'));
    req.appIdentity = parsed.data;
    next();
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

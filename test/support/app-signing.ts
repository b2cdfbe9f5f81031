import { createHash } from 'node:crypto';
import Stripe from 'stripe';
import { signedPayload, signedTarget, type AppIdentity } from '../../shared/contracts/app-api.js';

const sdk = new Stripe('sk_test_signing_only');

export type Identity = { user_id: string; account_id: string; mode: string };

/** Who signs, with which secret and (for expired or future signatures) at which time. */
export interface AppSigner {
  id: Identity;
  secret: string;
  timestamp?: number;
}

/**
 * The `Stripe-Signature` the Stripe App sends for a request: Stripe's signature over the identity
 * and the request's method, target below `/api/app` and body digest (app/api/backend-client.ts).
 */
export function appSignature(signer: AppSigner, request: { method: string; path: string; body?: string }): string {
  const payload = signedPayload(signer.id as AppIdentity, {
    method: request.method,
    path: signedTarget(request.path),
    body_sha256: createHash('sha256')
      .update(request.body ?? '')
      .digest('hex'),
  });
  return sdk.webhooks.generateTestHeaderString({
    payload,
    secret: signer.secret,
    ...(signer.timestamp ? { timestamp: signer.timestamp } : {}),
  });
}

/** Calls `/api/app{path}` as the app does: identity in the query (GET) or body, signed by `signer` (or a raw header). */
export async function callApp(
  baseUrl: string,
  method: string,
  path: string,
  id: Identity,
  signer: AppSigner | string | null,
  body: Record<string, unknown> = {},
) {
  const text = method === 'GET' ? undefined : JSON.stringify({ ...id, ...body });
  const query = method === 'GET' ? `${path.includes('?') ? '&' : '?'}${new URLSearchParams(id)}` : '';
  const header = signer === null ? null : typeof signer === 'string' ? signer : appSignature(signer, { method, path, body: text });
  const res = await fetch(`${baseUrl}/api/app${path}${query}`, {
    method,
    headers: { ...(header ? { 'Stripe-Signature': header } : {}), 'Content-Type': 'application/json' },
    body: text,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, header };
}

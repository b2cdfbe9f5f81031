import express, { Router, type Request, type Response } from 'express';
import Stripe from 'stripe';
import { signatureVerifier } from '../../stripe/client.js';
import type { Config } from '../../config.js';
import type { SecretStore } from '../../connections/secret-store.js';
import type { Db } from '../../db/database.js';
import { AppError, NotFoundError, UnavailableError } from '../../errors.js';
import type { EventService } from '../../events/event-service.js';
import type { EventSource } from '../../events/inbox.js';

const MAX_BODY = '512kb';

class SignatureError extends AppError {
  constructor(message: string) {
    super('invalid_signature', message, 400);
  }
}

/** The event, if the raw body is signed by any of the secrets (rotation keeps two alive). */
function verify(raw: Buffer, header: string | undefined, secrets: string[]): Stripe.Event {
  if (!header) throw new SignatureError('Missing Stripe-Signature header');
  for (const secret of secrets) {
    try {
      return signatureVerifier.webhooks.constructEvent(raw, header, secret);
    } catch (err) {
      if (!(err instanceof Stripe.errors.StripeSignatureVerificationError)) throw err;
    }
  }
  throw new SignatureError('No valid signature for this payload (checked every active secret)');
}

/**
 * Stripe's deliveries: the app/Connect endpoint (every installed account, events carry
 * `account`) and each merchant's own endpoint. Raw body, signature, then the inbox write; the
 * 2xx comes only after that write, processing comes after the 2xx.
 */
export function webhookRoutes(deps: { config: Config; db: Db; secrets: SecretStore; events: EventService }): Router {
  const router = Router();
  const raw = express.raw({ type: () => true, limit: MAX_BODY });

  const accept = async (req: Request, res: Response, accountId: string, event: Stripe.Event, source: EventSource) => {
    let duplicate: boolean;
    try {
      ({ duplicate } = await deps.events.ingest(accountId, event, source, (req.body as Buffer).toString('utf8')));
    } catch {
      // Not stored: a 503 makes Stripe deliver it again later.
      throw new UnavailableError('The event could not be stored; retry later');
    }
    res.json({ received: true, duplicate });
  };

  router.post('/webhooks/stripe', raw, async (req: Request, res: Response) => {
    const event = verify(req.body as Buffer, req.get('stripe-signature'), deps.config.webhookSecrets);
    if (!event.account) throw new SignatureError('Events on the app endpoint must name their account');
    await accept(req, res, event.account, event, 'app_webhook');
  });

  router.post('/webhooks/stripe/:merchantId', raw, async (req: Request, res: Response) => {
    const merchantId = String(req.params.merchantId);
    let rows: { id: string; account_id: string; livemode: unknown }[];
    try {
      rows = await deps.db('connections').where({ merchant_id: merchantId }).whereNot('state', 'disconnected').select('id', 'account_id', 'livemode');
    } catch {
      throw new UnavailableError('The event could not be stored; retry later');
    }
    const secrets: { secret: string; row: (typeof rows)[number] }[] = [];
    for (const row of rows) {
      const stored = await deps.secrets.get(row.id, 'webhook_secret');
      if (stored) secrets.push({ secret: stored.value, row });
    }
    if (!secrets.length) throw new NotFoundError(`No webhook endpoint for merchant ${merchantId}`);
    const header = req.get('stripe-signature');
    let match: { event: Stripe.Event; row: (typeof rows)[number] } | undefined;
    for (const { secret, row } of secrets) {
      try {
        match = { event: verify(req.body as Buffer, header, [secret]), row };
        break;
      } catch {
        // another merchant connection's secret may match
      }
    }
    if (!match) throw new SignatureError('No valid signature for this payload');
    const { event } = match;
    const livemode = match.row.livemode === true || match.row.livemode === 1;
    if (event.livemode !== livemode) throw new SignatureError(`A ${event.livemode ? 'live' : 'test'}-mode event reached a ${livemode ? 'live' : 'test'}-mode connection`);
    await accept(req, res, match.row.account_id, event, 'merchant_webhook');
  });
  return router;
}

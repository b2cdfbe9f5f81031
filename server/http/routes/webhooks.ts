import express, { Router, type Request, type Response } from 'express';
import type Stripe from 'stripe';
import { modeOf, type Config } from '../../config.js';
import type { SecretStore } from '../../connections/secret-store.js';
import type { Connection } from '../../connections/connection-repository.js';
import type { ConnectionService } from '../../connections/connection-service.js';
import { InvalidEventError, NotFoundError, SignatureError, UnavailableError } from '../../errors.js';
import type { EventService } from '../../events/event-service.js';
import type { EventSource } from '../../events/inbox.js';
import { MAX_EVENT_BYTES, checkEventText } from '../../events/event-schema.js';
import { checkSignature } from '../../stripe/signatures.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The event, if the raw body is signed by any of the secrets (rotation keeps two alive) at a time
 * near now, and is an event (event-schema.ts). The text returned is what Stripe's verifier signed:
 * UTF-8 decoded, without a byte order mark; that text, never the raw bytes, is what gets stored.
 */
function verify(raw: Buffer, header: string | undefined, secrets: string[]): { event: Stripe.Event; text: string } {
  if (!header) throw new SignatureError('Missing Stripe-Signature header');
  if (!Buffer.isBuffer(raw) || !raw.length) throw new SignatureError('No payload to verify');
  const signature = checkSignature(raw, header, secrets);
  if (signature === 'unsigned') throw new SignatureError('No valid signature for this payload (checked every active secret)');
  if (signature === 'future') throw new SignatureError('The signature is dated more than 300 s in the future');
  let text: string;
  try {
    text = strictUtf8.decode(raw);
  } catch {
    throw new InvalidEventError('the body is not UTF-8');
  }
  const check = checkEventText(text);
  if (!check.ok) throw new InvalidEventError(check.reason);
  return { event: check.event, text };
}

/**
 * Stripe's deliveries: the app/Connect endpoint (every installed account, events carry
 * `account`) and each merchant's own endpoint. Raw body, signature, then the inbox write; the
 * 2xx comes only after that write, processing comes after the 2xx.
 */
export function webhookRoutes(deps: {
  config: Config;
  connections: ConnectionService;
  secrets: SecretStore;
  events: EventService;
}): Router {
  const router = Router();
  const raw = express.raw({ type: () => true, limit: MAX_EVENT_BYTES });

  const accept = async (res: Response, accountId: string, { event, text }: { event: Stripe.Event; text: string }, source: EventSource) => {
    let duplicate: boolean;
    try {
      ({ duplicate } = await deps.events.ingest(accountId, event, source, text));
    } catch {
      // Not stored: a 503 makes Stripe deliver it again later.
      throw new UnavailableError('The event could not be stored; retry later');
    }
    res.json({ received: true, duplicate });
  };

  router.post('/webhooks/stripe', raw, async (req: Request, res: Response) => {
    const verified = verify(req.body as Buffer, req.get('stripe-signature'), deps.config.webhookSecrets);
    if (!verified.event.account) throw new InvalidEventError('events on the app endpoint must name their account');
    await accept(res, verified.event.account, verified, 'app_webhook');
  });

  router.post('/webhooks/stripe/:merchantId', raw, async (req: Request, res: Response) => {
    const merchantId = String(req.params.merchantId);
    let rows: Connection[];
    try {
      rows = await deps.connections.forMerchant(merchantId);
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
    let match: { verified: ReturnType<typeof verify>; row: (typeof rows)[number] } | undefined;
    for (const { secret, row } of secrets) {
      try {
        match = { verified: verify(req.body as Buffer, header, [secret]), row };
        break;
      } catch (err) {
        // Signed by this secret but not an event: say so. Otherwise another connection's secret may match.
        if (err instanceof InvalidEventError) throw err;
      }
    }
    if (!match) throw new SignatureError('No valid signature for this payload');
    const { event } = match.verified;
    const { livemode } = match.row;
    if (event.livemode !== livemode)
      throw new SignatureError(`A ${modeOf(event.livemode)}-mode event reached a ${modeOf(livemode)}-mode connection`);
    await accept(res, match.row.accountId, match.verified, 'merchant_webhook');
  });
  return router;
}

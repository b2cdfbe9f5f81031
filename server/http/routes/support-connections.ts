import express, { Router } from 'express';
import type { Config } from '../../config.js';
import { connectWithApiKey } from '../../connections/api-key-connect.js';
import type { ConnectionService } from '../../connections/connection-service.js';
import { ValidationError } from '../../errors.js';
import type { RateLimiters } from '../../stripe/rate-limiter.js';
import type { StatusReader } from '../../status/status-reader.js';
import { apiKeyConnectBody, connectionIdParam, listConnectionsQuery } from '../../../shared/contracts/support-api.js';

export interface SupportRouteDeps {
  config: Config;
  status: StatusReader;
  connections: ConnectionService;
  limiters: RateLimiters;
}

const webhookUrlOf = (config: Config, merchantId: string | null) =>
  merchantId ? `${config.publicUrl}/webhooks/stripe/${encodeURIComponent(merchantId)}` : null;

export function connectionIdOf(raw: unknown): string {
  const parsed = connectionIdParam.safeParse(raw);
  if (!parsed.success) throw new ValidationError(`"${String(raw)}" is not a connection id`);
  return parsed.data;
}

/** `/api/support`: the overview, the connection list and detail, and adding an API-key connection. */
export function supportConnectionRoutes(deps: SupportRouteDeps): Router {
  const router = Router();
  const { config, status, connections } = deps;

  router.get('/overview', async (_req, res) => {
    res.json(await status.overview());
  });

  router.get('/connections', async (req, res) => {
    const filter = listConnectionsQuery.parse(req.query);
    res.json({ ...(await status.summaries(filter)), limit: filter.limit, offset: filter.offset });
  });

  router.post('/connections', express.json({ limit: '16kb' }), async (req, res) => {
    const body = apiKeyConnectBody.parse(req.body ?? {});
    const { connection, warnings } = await connectWithApiKey(config, connections, deps.limiters, body);
    res
      .status(201)
      .json({ connection: await status.status(connection), warnings, webhook_url: webhookUrlOf(config, connection.merchantId) });
  });

  router.get('/connections/:id', async (req, res) => {
    const connection = await connections.get(connectionIdOf(req.params.id));
    res.json({
      ...(await status.detail(connection)),
      activity: await status.activity(connection),
      webhook_url: webhookUrlOf(config, connection.merchantId),
    });
  });
  return router;
}

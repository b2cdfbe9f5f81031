import express, { Router } from 'express';
import type { Config } from '../../config.js';
import { connectWithApiKey } from '../../connections/api-key-connect.js';
import { listConnections } from '../../connections/connection-repository.js';
import type { ConnectionService } from '../../connections/connection-service.js';
import { connectionDetail, connectionStatus } from '../../connections/status.js';
import type { Db } from '../../db/database.js';
import { ValidationError } from '../../errors.js';
import type { RateLimiters } from '../../stripe/rate-limiter.js';
import { apiKeyConnectBody, connectionIdParam, listConnectionsQuery, reportRunBody } from '../../../shared/contracts/support-api.js';
import type { ReportFamily } from '../../../shared/report-families.js';
import type { ReportService } from '../../reports/report-service.js';
import { CONNECTION_ACTIONS, type ConnectionAction } from '../../../shared/connection-states.js';

const ACTIONS: ConnectionAction[] = CONNECTION_ACTIONS.filter((a) => a !== 'reauthorize');

/** `/api/support/connections`: list, detail, API-key connect and the support actions. */
export function supportConnectionRoutes(deps: {
  config: Config; db: Db; connections: ConnectionService; limiters: RateLimiters; reports: ReportService;
}): Router {
  const router = Router();
  const { config, db, connections } = deps;
  const idOf = (raw: unknown) => {
    const parsed = connectionIdParam.safeParse(raw);
    if (!parsed.success) throw new ValidationError(`"${String(raw)}" is not a connection id`);
    return parsed.data;
  };

  router.get('/connections', async (req, res) => {
    const filter = listConnectionsQuery.parse(req.query);
    const { connections: rows, total } = await listConnections(db, filter);
    res.json({ data: await Promise.all(rows.map((c) => connectionStatus(db, config, c))), total, limit: filter.limit, offset: filter.offset });
  });

  router.post('/connections', express.json({ limit: '16kb' }), async (req, res) => {
    const body = apiKeyConnectBody.parse(req.body ?? {});
    const { connection, warnings } = await connectWithApiKey(config, connections, deps.limiters, body);
    res.status(201).json({
      connection: await connectionStatus(db, config, connection),
      warnings,
      webhook_url: connection.merchantId ? `${config.publicUrl}/webhooks/stripe/${encodeURIComponent(connection.merchantId)}` : null,
    });
  });

  router.get('/connections/:id', async (req, res) => {
    res.json(await connectionDetail(db, config, await connections.get(idOf(req.params.id))));
  });

  router.post('/connections/:id/reports/run', express.json({ limit: '4kb' }), async (req, res) => {
    const id = idOf(req.params.id);
    await connections.get(id);
    const { type } = reportRunBody.parse(req.body ?? {});
    const runs = await deps.reports.schedule(id, { families: type ? [type as ReportFamily] : undefined, force: true });
    res.status(202).json({ requested: runs.length, runs: (await connectionStatus(db, config, await connections.get(id))).reports });
  });

  router.post('/connections/:id/:action', async (req, res) => {
    const action = req.params.action as ConnectionAction;
    if (!ACTIONS.includes(action)) throw new ValidationError(`Unknown action "${req.params.action}"; one of: ${ACTIONS.join(', ')}`);
    const connection = await connections.act(idOf(req.params.id), action);
    res.json(await connectionDetail(db, config, connection));
  });
  return router;
}

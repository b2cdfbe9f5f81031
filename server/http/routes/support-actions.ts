import express, { Router } from 'express';
import { connectWithApiKey } from '../../connections/api-key-connect.js';
import { ValidationError } from '../../errors.js';
import type { ReportService } from '../../reports/report-service.js';
import { CONNECTION_ACTIONS, type ConnectionAction } from '../../../shared/connection-states.js';
import { reportRunBody, resyncBody, rotateApiKeyBody, rotateWebhookSecretBody } from '../../../shared/contracts/support-api.js';
import type { ReportFamily } from '../../../shared/report-families.js';
import { connectionIdOf, type SupportRouteDeps } from './support-connections.js';

const ACTIONS: ConnectionAction[] = CONNECTION_ACTIONS.filter((a) => a !== 'reauthorize');

/** `/api/support/connections/:id/…`: what support staff may do to a connection. */
export function supportActionRoutes(deps: SupportRouteDeps & { reports: ReportService }): Router {
  const router = Router();
  const { config, status, connections } = deps;
  const json = express.json({ limit: '4kb' });

  router.post('/connections/:id/reports/run', json, async (req, res) => {
    const id = connectionIdOf(req.params.id);
    await connections.get(id);
    const { type } = reportRunBody.parse(req.body ?? {});
    const runs = await deps.reports.schedule(id, { families: type ? [type as ReportFamily] : undefined, force: true });
    res.status(202).json({ requested: runs.length, runs: (await status.status(await connections.get(id))).reports });
  });

  router.put('/connections/:id/webhook-secret', json, async (req, res) => {
    const { webhook_secret } = rotateWebhookSecretBody.parse(req.body ?? {});
    res.json(await status.detail(await connections.rotateWebhookSecret(connectionIdOf(req.params.id), webhook_secret)));
  });

  router.put('/connections/:id/api-key', json, async (req, res) => {
    const current = await connections.get(connectionIdOf(req.params.id));
    if (current.authKind !== 'api_key')
      throw new ValidationError("This connection uses the app's OAuth tokens, not an API key; ask the merchant to reinstall instead");
    const { api_key } = rotateApiKeyBody.parse(req.body ?? {});
    const { connection, warnings } = await connectWithApiKey(
      config,
      connections,
      deps.limiters,
      {
        name: current.name ?? current.accountId,
        api_key,
        merchant_id: current.merchantId ?? undefined,
      },
      current,
    );
    res.json({ connection: await status.detail(connection), warnings });
  });

  router.post('/connections/:id/:action', json, async (req, res) => {
    const action = req.params.action as ConnectionAction;
    if (!ACTIONS.includes(action)) throw new ValidationError(`Unknown action "${req.params.action}"; one of: ${ACTIONS.join(', ')}`);
    const { resource } = action === 'resync' ? resyncBody.parse(req.body ?? {}) : { resource: undefined };
    const connection = await connections.act(connectionIdOf(req.params.id), action, 'support', { resource });
    res.json(await status.detail(connection));
  });
  return router;
}

import { Router, type Request } from 'express';
import type { Config } from '../../config.js';
import type { Connection } from '../../connections/connection-repository.js';
import type { ConnectionService } from '../../connections/connection-service.js';
import type { SignatureUses } from '../../app-api/signature-uses.js';
import { NotConnectedError, ValidationError } from '../../errors.js';
import type { StatusReader } from '../../status/status-reader.js';
import { appSettings, insightsQuery } from '../../../shared/contracts/app-api.js';
import { appAuth, appCors, appJson } from '../app-auth.js';

/**
 * `/api/app/*`: what the Stripe App's views call. The account comes only from the signed
 * payload, so a request can only ever read or change that account's own connection.
 */
export function appApiRoutes(deps: {
  config: Config;
  connections: ConnectionService;
  status: StatusReader;
  signatureUses: SignatureUses;
}): Router {
  const { config, connections, status } = deps;
  const router = Router();
  router.use(appCors, appJson, appAuth(config.appSigningSecrets, deps.signatureUses));

  const installUrl = (req: Request) => `${config.publicUrl}/oauth/install?mode=${req.appIdentity!.mode}`;
  /** The caller's own connection; a Marketplace install is linked on its first signed request. */
  const own = async (req: Request): Promise<Connection> => {
    const { account_id, mode } = req.appIdentity!;
    const connection = await connections.forAccount(account_id, mode === 'live');
    if (!connection || connection.state === 'disconnected') throw new NotConnectedError(installUrl(req));
    await connections.linkMerchant(connection);
    return connection;
  };

  router.get('/status', async (req, res) => {
    const { account_id, mode } = req.appIdentity!;
    const connection = await connections.forAccount(account_id, mode === 'live');
    if (!connection || connection.state === 'disconnected') {
      return void res.json({ connected: false, install_url: installUrl(req) });
    }
    await own(req);
    res.json({ ...(await status.status(connection)), install_url: installUrl(req) });
  });

  router.get('/settings', async (req, res) => {
    const connection = await own(req);
    res.json({ ...(await connections.appSettings(connection)), paused: connection.state === 'paused' });
  });

  router.put('/settings', async (req, res) => {
    const connection = await own(req);
    const body = req.body as Record<string, unknown>;
    const settings = appSettings.parse({
      reporting_timezone: body.reporting_timezone,
      history_since: body.history_since ?? null,
      report_families: body.report_families,
    });
    await connections.saveAppSettings(connection, settings);
    res.json({ ...settings, paused: connection.state === 'paused' });
  });

  router.get('/insights', async (req, res) => {
    const connection = await own(req);
    const { days } = insightsQuery.parse({ days: req.query.days });
    res.json(await status.insights(connection, days));
  });

  router.post('/actions/:action', async (req, res) => {
    const action = String(req.params.action);
    if (!['resync', 'pause', 'resume'].includes(action))
      throw new ValidationError(`Unknown action "${action}"; one of: resync, pause, resume`);
    const connection = await own(req);
    const after = await connections.act(connection.id, action as 'resync' | 'pause' | 'resume', 'the merchant');
    res.json(await status.status(after));
  });
  return router;
}

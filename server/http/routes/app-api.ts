import { Router, type Request } from 'express';
import type { Config } from '../../config.js';
import { findByAccount, merchantIdHolder, updateConnection, type Connection } from '../../connections/connection-repository.js';
import type { ConnectionService } from '../../connections/connection-service.js';
import { connectionSettings } from '../../connections/connection-settings.js';
import { connectionStatus } from '../../status/connection-status.js';
import type { Db } from '../../db/database.js';
import { AppError, ValidationError } from '../../errors.js';
import { computeInsights } from '../../status/insights.js';
import { appSettings, insightsQuery, type AppSettings } from '../../../shared/contracts/app-api.js';
import { REPORT_FAMILIES } from '../../../shared/report-families.js';
import { appAuth, appCors, appJson } from '../app-auth.js';
import { SignatureUses } from '../../app-api/signature-uses.js';

class NotConnectedError extends AppError {
  constructor(installUrl: string) {
    super('not_connected', 'This account is not connected yet', 404, { install_url: installUrl });
  }
}


/**
 * `/api/app/*`: what the Stripe App's views call. The account comes only from the signed
 * payload, so a request can only ever read or change that account's own connection.
 */
export function appApiRoutes(deps: { config: Config; db: Db; connections: ConnectionService }): Router {
  const { config, db, connections } = deps;
  const router = Router();
  router.use(appCors, appJson, appAuth(config.appSigningSecrets, new SignatureUses(db)));

  const installUrl = (req: Request) => `${config.publicUrl}/oauth/install?mode=${req.appIdentity!.mode}`;
  /** The caller's own connection; a Marketplace install is linked on its first signed request. */
  const own = async (req: Request): Promise<Connection> => {
    const { account_id, mode } = req.appIdentity!;
    const connection = await findByAccount(db, account_id, mode === 'live');
    if (!connection || connection.state === 'disconnected') throw new NotConnectedError(installUrl(req));
    // (Unless support already gave that name to another account's connection: it keeps none then.)
    if (!connection.merchantId && connection.installSource === 'marketplace' && !(await merchantIdHolder(db, account_id, account_id))) {
      await updateConnection(db, connection.id, { merchant_id: account_id });
    }
    return connection;
  };
  const settingsOf = async (c: Connection): Promise<AppSettings> => {
    const row = await db('connections').where({ id: c.id }).first('reporting_timezone');
    const stored = await connectionSettings(db, c.id);
    return {
      reporting_timezone: String(row.reporting_timezone ?? 'UTC'),
      history_since: stored.historySince,
      report_families: stored.reportFamilies ?? REPORT_FAMILIES.map((f) => f.family),
    };
  };

  router.get('/status', async (req, res) => {
    const { account_id, mode } = req.appIdentity!;
    const connection = await findByAccount(db, account_id, mode === 'live');
    if (!connection || connection.state === 'disconnected') {
      return void res.json({ connected: false, install_url: installUrl(req) });
    }
    await own(req);
    res.json({ ...(await connectionStatus(db, config, connection)), install_url: installUrl(req) });
  });

  router.get('/settings', async (req, res) => {
    const connection = await own(req);
    res.json({ ...(await settingsOf(connection)), paused: connection.state === 'paused' });
  });

  router.put('/settings', async (req, res) => {
    const connection = await own(req);
    const body = req.body as Record<string, unknown>;
    const settings = appSettings.parse({ reporting_timezone: body.reporting_timezone, history_since: body.history_since ?? null, report_families: body.report_families });
    await db('connections').where({ id: connection.id }).update({
      reporting_timezone: settings.reporting_timezone,
      settings: JSON.stringify({ history_since: settings.history_since, report_families: settings.report_families }),
      updated_at: Date.now(),
    });
    res.json({ ...settings, paused: connection.state === 'paused' });
  });

  router.get('/insights', async (req, res) => {
    const connection = await own(req);
    const { days } = insightsQuery.parse({ days: req.query.days });
    res.json(await computeInsights(db, connection.accountId, connection.livemode, days));
  });

  router.post('/actions/:action', async (req, res) => {
    const action = String(req.params.action);
    if (!['resync', 'pause', 'resume'].includes(action)) throw new ValidationError(`Unknown action "${action}"; one of: resync, pause, resume`);
    const connection = await own(req);
    const after = await connections.act(connection.id, action as 'resync' | 'pause' | 'resume', 'the merchant');
    res.json(await connectionStatus(db, config, after));
  });
  return router;
}

import { Router } from 'express';
import { ping, type Db } from '../../db/database.js';
import { UnavailableError } from '../../errors.js';
import type { Metrics } from '../../metrics.js';

/** Operator endpoints: public, and so nothing secret in them. */
export function healthRoutes(deps: { db: Db; metrics: Metrics }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      await ping(deps.db);
    } catch {
      throw new UnavailableError('database unreachable');
    }
    res.json({ status: 'ready' });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return router;
}

import { Router } from 'express';
import { ping, type Db } from '../../db/database.js';
import { UnavailableError } from '../../errors.js';
import { Registry } from 'prom-client';

/** Operator endpoints: public, and so nothing secret in them. */
export function healthRoutes(deps: { db: Db; registries: Registry[] }): Router {
  const router = Router();
  const registry = Registry.merge(deps.registries);
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
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}

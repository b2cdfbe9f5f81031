import { Router } from 'express';
import { UnavailableError } from '../../errors.js';
import { Registry } from 'prom-client';

/** Operator endpoints: public, and so nothing secret in them. */
export function healthRoutes(deps: { ready: () => Promise<unknown>; registries: Registry[] }): Router {
  const router = Router();
  const registry = Registry.merge(deps.registries);
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      await deps.ready();
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

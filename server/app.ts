import express, { type Express } from 'express';
import type { Config } from './config.js';
import type { Db } from './db/database.js';
import type { Logger } from './logging/logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { requestContext } from './http/request-context.js';
import { errorMiddleware, notFoundHandler } from './http/error-middleware.js';
import { healthRoutes } from './http/routes/health.js';

export interface AppDeps {
  config: Config;
  db: Db;
  logger: Logger;
  metrics?: Metrics;
}

/** Builds the HTTP app from its collaborators. Never listens: `main.ts` and tests do that. */
export function createApp(deps: AppDeps): Express {
  const metrics = deps.metrics ?? createMetrics();
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(requestContext(deps.logger, metrics));
  app.use(healthRoutes({ db: deps.db, metrics }));
  app.use(notFoundHandler);
  app.use(errorMiddleware(deps.logger));
  return app;
}

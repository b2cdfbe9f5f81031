import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import type { Config } from './config.js';
import type { Db } from './db/database.js';
import type { Logger } from './logging/logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { requestContext } from './http/request-context.js';
import { errorMiddleware, notFoundHandler } from './http/error-middleware.js';
import { inputGuard } from './http/input-guard.js';
import { FailureLimiter, type FailureLimit } from './http/failure-limiter.js';
import { healthRoutes } from './http/routes/health.js';
import { oauthRoutes } from './http/routes/oauth.js';
import { supportActionRoutes } from './http/routes/support-actions.js';
import { supportConnectionRoutes } from './http/routes/support-connections.js';
import { supportConsoleRoutes } from './http/routes/support-console.js';
import { supportSessionRoutes } from './http/routes/support-session.js';
import { supportAuth } from './http/support-auth.js';
import { webhookRoutes } from './http/routes/webhooks.js';
import { appApiRoutes } from './http/routes/app-api.js';
import { createServices, type Services } from './services.js';

export interface AppDeps {
  config: Config;
  db: Db;
  logger: Logger;
  metrics?: Metrics;
  services?: Services;
  /** The built support console (default: `dist/support-console` of this checkout). */
  consoleDir?: string;
  /** Failed support logins and bearer tokens allowed per client address (default: DEFAULT_FAILURE_LIMIT). */
  failureLimit?: FailureLimit;
}

const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../dist/support-console', import.meta.url));

/** Builds the HTTP app from its collaborators. Never listens: `main.ts` and tests do that. */
export function createApp(deps: AppDeps): Express {
  const { config, db, logger } = deps;
  const metrics = deps.metrics ?? createMetrics();
  const services = deps.services ?? createServices(config, db, logger);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(requestContext(logger, metrics));
  app.use(inputGuard);
  app.use(healthRoutes({ ready: () => services.status.ready(), registries: [metrics.registry, services.registry] }));
  app.use(webhookRoutes({ config, connections: services.connections, secrets: services.secrets, events: services.events }));
  app.use(oauthRoutes({ config, logger, states: services.states, installs: services.installs }));
  app.use(
    '/api/app',
    appApiRoutes({ config, connections: services.connections, status: services.status, signatureUses: services.signatureUses }),
  );
  const { sessions } = services;
  const failures = new FailureLimiter(deps.failureLimit);
  const support = { config, status: services.status, connections: services.connections, limiters: services.limiters };
  app.use(supportConsoleRoutes({ sessions, consoleDir: deps.consoleDir ?? DEFAULT_CONSOLE_DIR }));
  app.use('/api/support', supportSessionRoutes({ config, sessions, failures }));
  app.use(
    '/api/support',
    supportAuth(config.supportTokens, sessions, failures),
    supportConnectionRoutes(support),
    supportActionRoutes({ ...support, reports: services.reports }),
  );
  app.use(notFoundHandler);
  app.use(errorMiddleware(logger));
  return app;
}

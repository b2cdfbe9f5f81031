import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiRoutes } from './api-routes.js';
import { ALL_PERMISSIONS } from './auth.js';
import type { EmulatorContext } from './context.js';
import { controlRoutes, CONTROL_PREFIX } from './control-routes.js';
import { errors, StripeError } from './errors.js';
import { EventBus } from './events.js';
import { OAuthServer, type AppRegistration } from './oauth.js';
import { oauthRoutes } from './oauth-routes.js';
import { Reporting } from './reporting.js';
import { EmulatorState, type EmulatorSettings } from './state.js';
import { Traffic } from './traffic.js';
import { Webhooks } from './webhooks.js';

export interface EmulatorOptions {
  port?: number;
  host?: string;
  /** PRNG seed: the same seed gives the same ids and data. */
  seed?: number;
  settings?: Partial<EmulatorSettings>;
  app?: Partial<AppRegistration>;
  /** Sees every Stripe API request (not the control API) with its answer: conformance tests check them. */
  onExchange?: (exchange: ApiExchange) => void;
}

export interface ApiExchange {
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: Record<string, unknown>;
  status: number;
  response: unknown;
}

export interface Emulator extends EmulatorContext {
  url: string;
  port: number;
  controlUrl: string;
  close(): Promise<void>;
}

/** Starts a stateful Stripe API emulator on a local port (0 = any free port). */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const state = new EmulatorState(options.seed ?? Math.floor(Math.random() * 2 ** 31), options.settings);
  const bus = new EventBus(state);
  let url = '';
  const oauth = new OAuthServer(state, bus, {
    name: 'Payments Intelligence',
    clientIds: { test: state.random.id('ca_'), live: state.random.id('ca_'), sandbox: state.random.id('ca_') },
    redirectUris: [],
    permissions: ALL_PERMISSIONS,
    ...options.app,
  });
  const webhooks = new Webhooks(state, (account, mode) => oauth.isInstalled(account, mode));
  bus.onEvent((event, account, mode) => webhooks.dispatch(event, account, mode));
  const ctx: EmulatorContext = {
    state,
    bus,
    oauth,
    webhooks,
    traffic: new Traffic(state),
    baseUrl: () => url,
    reporting: new Reporting(state, bus, () => url),
  };

  const app = express();
  app.set('query parser', 'extended');
  app.disable('x-powered-by');
  app.use((req, res, next) => {
    res.setHeader('Request-Id', state.random.id('req_'));
    const version = req.headers['stripe-version'];
    if (typeof version === 'string') res.setHeader('Stripe-Version', version);
    next();
  });
  app.use(CONTROL_PREFIX, controlRoutes(ctx));
  if (options.onExchange) {
    const record = options.onExchange;
    // Every JSON answer goes through res.json: seen as the object it is, before serialising.
    // and file contents (CSV) through res.send as a Buffer.
    app.use('/v1', (req, res, next) => {
      const seen = (response: unknown) =>
        record({
          method: req.method,
          path: req.originalUrl.split('?')[0]!,
          query: { ...(req.query as object) },
          body: { ...((req.body ?? {}) as object) },
          status: res.statusCode,
          response,
        });
      const json = res.json.bind(res);
      const send = res.send.bind(res);
      res.json = (response: unknown) => (seen(response), json(response));
      res.send = (body: unknown) => (Buffer.isBuffer(body) && seen(body), send(body));
      next();
    });
  }
  app.use(oauthRoutes(ctx));
  app.use('/v1', express.urlencoded({ extended: true, parameterLimit: 1000 }));
  app.use(apiRoutes(ctx));
  app.use((req, _res, next) => next(errors.unknownRoute(req.method, req.path)));
  app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const error = err instanceof StripeError ? err : errors.api(500);
    res.status(error.status).set(error.headers).json(error.toJSON());
  });

  // Express 5's listen() calls back on errors too (with an unbound server): listen on the http
  // server itself, so a port in use rejects with EADDRINUSE.
  const server: Server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  return {
    ...ctx,
    url,
    port,
    controlUrl: `${url}${CONTROL_PREFIX}`,
    async close() {
      webhooks.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

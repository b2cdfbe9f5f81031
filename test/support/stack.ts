import type { Express } from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../server/app.js';
import type { FailureLimit } from '../../server/http/failure-limiter.js';
import type { Config } from '../../server/config.js';
import type { Dialect } from '../../server/db/database.js';
import { createServices, type ServiceOptions, type Services } from '../../server/services.js';
import type { ApiExchange, Emulator } from '../../server/emulator/index.js';
import { testConfig } from './config.js';
import { createTestDatabase, type TestDatabase } from './databases.js';
import { control, overview, platformKey, withEmulator } from './emulator.js';
import { capturedLogger } from './log-capture.js';
import { checkRequest, checkResponse } from './openapi.js';

export const SUPPORT_TOKEN = 'support-token-for-tests-0123456789';

/** The real backend on a real port and database, wired to a real emulator. */
export interface Stack {
  url: string;
  config: Config;
  database: TestDatabase;
  emulator: Emulator;
  services: Services;
  app: Express;
  logs: () => string;
  support(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
  /** Stripe API requests made so far (their answers are checked, not kept). */
  exchanges: ApiExchange[];
  /** What Stripe's OpenAPI definitions do not allow in those requests and answers, so far. */
  openapiProblems(): string[];
}

export async function startStack(
  dialect: Dialect,
  overrides: Record<string, string> = {},
  options: ServiceOptions = {},
  stackOptions: { consoleDir?: string; failureLimit?: FailureLimit } = {},
): Promise<Stack> {
  // Every request the product makes, checked against Stripe's OpenAPI definitions when the stack
  // closes: a request shape Stripe does not define fails the test file that made it.
  // Checked as they happen; only the requests are kept (answers can be large).
  const exchanges: ApiExchange[] = [];
  const problems = new Set<string>();
  const emulator = await withEmulator({
    onExchange: (x) => {
      for (const p of [...checkRequest(x), ...checkResponse(x)]) problems.add(p);
      exchanges.push({ ...x, response: undefined });
    },
  });
  const database = await createTestDatabase(dialect);
  // Listen first: the public URL (OAuth callback) must be known before the app is built.
  const target: { app?: Express } = {};
  const server: Server = createServer((req, res) => target.app!(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { app: registration } = await overview(emulator);
  await control(emulator, 'POST', '/app', { redirect_uris: [`${url}/oauth/callback`] });
  const config = testConfig({
    DATABASE_URL: database.url,
    PUBLIC_URL: url,
    STRIPE_API_BASE: emulator.url,
    STRIPE_SECRET_KEY_TEST: await platformKey(emulator, 'test'),
    STRIPE_SECRET_KEY_LIVE: await platformKey(emulator, 'live'),
    STRIPE_APP_CLIENT_ID_TEST: registration.clientIds.test,
    STRIPE_APP_CLIENT_ID_LIVE: registration.clientIds.live,
    STRIPE_SECRET_KEY_SANDBOX: await platformKey(emulator, 'sandbox'),
    STRIPE_APP_CLIENT_ID_SANDBOX: registration.clientIds.sandbox,
    STRIPE_APP_AUTHORIZE_URL_TEST: `${emulator.url}/oauth/v2/authorize`,
    STRIPE_APP_AUTHORIZE_URL_LIVE: `${emulator.url}/oauth/v2/authorize`,
    SUPPORT_TOKENS: SUPPORT_TOKEN,
    LOG_LEVEL: 'info',
    ...overrides,
  });
  const { logger, output } = capturedLogger('info');
  const services = createServices(config, database.db, logger, {
    backoffBaseMs: 20,
    eventLagSeconds: 1,
    reportRetryDelayMs: 50,
    ...options,
  });
  // Suites that try many wrong tokens on purpose (bad-input) share one address with their valid
  // calls: the failure limit is proved where it is the subject (hostile-input), and lifted here.
  const failureLimit = stackOptions.failureLimit ?? { max: 100_000, windowMs: 60_000 };
  const app = createApp({ config, db: database.db, logger, services, consoleDir: stackOptions.consoleDir, failureLimit });
  target.app = app;
  return {
    url,
    config,
    database,
    emulator,
    services,
    app,
    logs: output,
    support: (path, init = {}) =>
      fetch(`${url}/api/support${path}`, {
        ...init,
        headers: { Authorization: `Bearer ${SUPPORT_TOKEN}`, 'Content-Type': 'application/json', ...(init.headers ?? {}) },
      }),
    async close() {
      await services.jobs.stop();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await emulator.close();
      await database.drop();
      if (problems.size)
        throw new Error(`requests or responses Stripe's OpenAPI definitions do not allow:\n${[...problems].slice(0, 30).join('\n')}`);
    },
    exchanges,
    openapiProblems: () => [...problems],
  };
}

/** Walks the install as a merchant's browser would: our install link, Stripe's page, the callback. */
export async function install(
  stack: Pick<Stack, 'url' | 'emulator'>,
  account: string,
  options: { mode?: 'test' | 'live' | 'sandbox'; decision?: 'approve' | 'deny' } = {},
) {
  const start = await fetch(`${stack.url}/oauth/install?mode=${options.mode ?? 'test'}`, { redirect: 'manual' });
  if (start.status !== 302) throw new Error(`install answered ${start.status}`);
  const authorize = new URL(start.headers.get('location')!);
  const form = new URLSearchParams({
    client_id: authorize.searchParams.get('client_id')!,
    redirect_uri: authorize.searchParams.get('redirect_uri')!,
    state: authorize.searchParams.get('state')!,
    account,
    decision: options.decision ?? 'approve',
  });
  const decided = await fetch(`${stack.emulator.url}/oauth/v2/authorize`, { method: 'POST', body: form, redirect: 'manual' });
  const callbackUrl = decided.headers.get('location')!;
  const callback = await fetch(callbackUrl, { redirect: 'manual' });
  return { authorize, callbackUrl, status: callback.status, page: await callback.text() };
}

export { createServices };

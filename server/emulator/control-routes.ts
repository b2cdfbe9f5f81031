import express, { Router, type Request, type Response } from 'express';
import type { EmulatorContext } from './context.js';
import { generate, type GenerateOptions } from './generator.js';
import { marketplaceInstallUrl } from './oauth-routes.js';
import { runScenario, scenarioNames, truth, type ScenarioInput } from './scenarios.js';
import type { Mode } from './state.js';
import type { FaultRule } from './traffic.js';

export const CONTROL_PREFIX = '/_emulator';

type Body = Record<string, unknown>;

const mode = (v: unknown): Mode => (v === 'live' ? 'live' : 'test');

/** The control API: set up accounts and data, run scenarios, inject faults, read ground truth. */
export function controlRoutes(ctx: EmulatorContext): Router {
  const router = Router();
  router.use(express.json({ limit: '1mb' }));
  const { state } = ctx;
  const handle = (fn: (body: Body, req: Request) => unknown) => (req: Request, res: Response) => {
    try {
      res.json(fn((req.body ?? {}) as Body, req) ?? { ok: true });
    } catch (err) {
      res.status(400).json({ error: { message: (err as Error).message } });
    }
  };

  router.get(
    '/',
    handle(() => ({
      api_base: ctx.baseUrl(),
      app: ctx.oauth.app,
      sandbox_platform: state.sandboxPlatform.id,
      accounts: [...state.accounts.values()].map((a) => ({
        ...a,
        keys: [...state.keys.values()]
          .filter((k) => k.account === a.id && k.kind !== 'oauth')
          .map((k) => ({ key: k.key, kind: k.kind, mode: k.mode })),
      })),
      installed: ctx.oauth.installed(),
      webhook_endpoints: [...ctx.webhooks.endpoints.values()],
      faults: ctx.traffic.faults,
      settings: state.settings,
      scenarios: scenarioNames,
    })),
  );

  router.post(
    '/accounts',
    handle((b) => {
      const account = state.addAccount({
        name: b.name as string | undefined,
        country: b.country as string | undefined,
        defaultCurrency: b.currency as string | undefined,
        apiVersion: b.api_version as string | undefined,
        // Connected now by default; a number sets the time, null leaves `created` out (both as Stripe documents).
        created: b.created === undefined ? undefined : b.created === null ? null : Number(b.created),
      });
      return {
        account,
        keys: { test: state.keysOf(account.id, 'test', 'secret')[0]!.key, live: state.keysOf(account.id, 'live', 'secret')[0]!.key },
      };
    }),
  );
  router.post(
    '/keys',
    handle((b) => {
      const permissions = Array.isArray(b.permissions) ? new Set(b.permissions.map(String)) : undefined;
      const record = state.addKey({
        kind: permissions ? 'restricted' : 'secret',
        account: String(b.account),
        mode: mode(b.mode),
        permissions,
      });
      return { key: record.key };
    }),
  );
  router.post(
    '/keys/revoke',
    handle((b) => {
      const record = state.keys.get(String(b.key));
      if (!record) throw new Error('unknown key');
      record.revoked = true;
      return { revoked: record.key };
    }),
  );
  router.post(
    '/generate',
    handle((b) => {
      const num = (k: string) => (b[k] === undefined ? undefined : Number(b[k]));
      return generate(state, ctx.bus, {
        account: String(b.account),
        mode: mode(b.mode),
        payments: Number(b.payments ?? 100),
        days: num('days'),
        burst: num('burst'),
        bursts: num('bursts'),
        refundRate: num('refundRate'),
        disputeRate: num('disputeRate'),
        fraudWarningRate: num('fraudWarningRate'),
        failureRate: num('failureRate'),
        payouts: b.payouts !== false,
        growth: b.growth === true,
        shape: b.shape as GenerateOptions['shape'],
        ancient: num('ancient'),
        currency: b.currency === undefined ? undefined : String(b.currency).toLowerCase(),
      });
    }),
  );
  router.get(
    '/truth',
    handle((_b, req) => truth(ctx, String(req.query.account), mode(req.query.mode))),
  );
  router.post(
    '/scenarios/:name',
    handle((b, req) => runScenario(ctx, String(req.params.name), b as ScenarioInput)),
  );

  router.post(
    '/webhook_endpoints',
    handle((b) =>
      ctx.webhooks.register({
        url: String(b.url),
        mode: mode(b.mode),
        account: b.account as string | undefined,
        enabledEvents: Array.isArray(b.enabled_events) ? b.enabled_events.map(String) : ['*'],
        faults: (b.faults ?? {}) as Body,
        secret: b.secret as string | undefined,
      }),
    ),
  );
  router.get(
    '/webhook_deliveries',
    handle(() => ctx.webhooks.deliveries),
  );

  router.post(
    '/faults',
    handle((b) => {
      const rule: FaultRule = { ...(b as Omit<FaultRule, 'id' | 'hits'>), id: state.random.id('fault_'), hits: 0 };
      if (typeof rule.path !== 'string' || (rule.action !== 'reset' && typeof rule.action !== 'number')) {
        throw new Error('a fault needs "path" (a regular expression) and "action" (a status code or "reset")');
      }
      ctx.traffic.faults.push(rule);
      return rule;
    }),
  );
  router.delete(
    '/faults',
    handle(() => void ctx.traffic.faults.splice(0)),
  );

  router.post(
    '/settings',
    handle((b) => Object.assign(state.settings, b)),
  );
  // An event exactly as given, listed and delivered like any other: an object of `type` that is
  // not what the product expects (no id, say), to prove one such event stops nothing else.
  router.post(
    '/events',
    handle((b) => {
      if (!state.accounts.get(String(b.account))) throw new Error(`no account ${String(b.account)}`);
      return ctx.bus.emit(String(b.account), mode(b.mode), String(b.type), (b.object ?? {}) as Record<string, unknown>);
    }),
  );
  router.get(
    '/requests',
    handle(() => Object.fromEntries(ctx.traffic.counters)),
  );
  router.get(
    '/traffic',
    handle((_b, req) => ctx.traffic.report(String(req.query.account))),
  );
  router.delete(
    '/requests',
    handle(() => void ctx.traffic.counters.clear()),
  );
  router.post(
    '/clock',
    handle((b) => {
      state.advanceClock(Number(b.advance_seconds ?? 0));
      return { now: state.now() };
    }),
  );

  router.post(
    '/app',
    handle((b) => {
      if (Array.isArray(b.redirect_uris)) ctx.oauth.app.redirectUris = b.redirect_uris.map(String);
      if (Array.isArray(b.permissions)) ctx.oauth.app.permissions = b.permissions.map(String);
      return ctx.oauth.app;
    }),
  );
  router.post(
    '/oauth/install',
    handle((b) => ({ redirect_url: marketplaceInstallUrl(ctx, String(b.account), b.mode === 'sandbox' ? 'sandbox' : mode(b.mode)) })),
  );
  router.post(
    '/oauth/uninstall',
    handle((b) => ({ uninstalled: ctx.oauth.uninstall(String(b.account), mode(b.mode)) })),
  );

  router.post(
    '/reporting/available_end',
    handle((b) => {
      const account = String(b.account);
      const m = mode(b.mode);
      ctx.reporting.options.availableEnd.set(`${account}:${m}`, Number(b.end));
      for (const type of ctx.reporting.types(account, m)) ctx.bus.emit(account, m, 'reporting.report_type.updated', type);
      return ctx.reporting.window(account, m);
    }),
  );
  router.post(
    '/reporting/refuse',
    handle((b) => {
      const type = String(b.report_type);
      ctx.reporting.options.refused.set(type, String(b.message ?? `The report type ${type} is not available in test mode.`));
      return { refused: [...ctx.reporting.options.refused.keys()] };
    }),
  );
  router.post(
    '/reporting/fail_next',
    handle((b) => {
      ctx.reporting.options.failNext = Number(b.count ?? 1);
    }),
  );
  router.post(
    '/reporting/versions',
    handle((b) => {
      const versions = ctx.reporting.versions.get(String(b.family));
      if (!versions) throw new Error(`unknown report family ${String(b.family)}`);
      if (!versions.includes(Number(b.version))) versions.push(Number(b.version));
      if (Array.isArray(b.add_columns))
        ctx.reporting.options.addedColumns.set(`${String(b.family)}.${Number(b.version)}`, b.add_columns.map(String));
      return { family: b.family, versions };
    }),
  );
  router.post(
    '/reporting/synthetic_rows',
    handle((b) => {
      ctx.reporting.options.syntheticRows = Number(b.count ?? 0);
    }),
  );
  return router;
}

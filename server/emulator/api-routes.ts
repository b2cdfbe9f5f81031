import { Router, type Request, type Response, type NextFunction } from 'express';
import { authenticate, type Caller } from './auth.js';
import type { StripeObject } from './collection.js';
import type { EmulatorContext } from './context.js';
import { errors, StripeError } from './errors.js';
import { listPage, rangeFilter, type Query } from './lists.js';
import * as objects from './objects.js';
import { settledByOf } from './settled.js';
import type { ResourceType } from './state.js';
import { faultError } from './traffic.js';

const EVENT_RETENTION = 30 * 86400;
const COMMON_PARAMS = ['limit', 'starting_after', 'ending_before', 'created', 'expand'];

interface Resource {
  path: string;
  type: ResourceType;
  /** Name in Stripe's "No such …" messages. */
  noun: string;
  /** Query parameters that must equal a field of the object. */
  equals?: string[];
  ranges?: string[];
  where?: (ctx: EmulatorContext, caller: Caller, query: Query) => ((o: StripeObject) => boolean) | undefined;
}

const RESOURCES: Resource[] = [
  { path: 'charges', type: 'charge', noun: 'charge', equals: ['customer', 'payment_intent'] },
  { path: 'payment_intents', type: 'payment_intent', noun: 'payment_intent', equals: ['customer'] },
  { path: 'refunds', type: 'refund', noun: 'refund', equals: ['charge', 'payment_intent'] },
  { path: 'disputes', type: 'dispute', noun: 'dispute', equals: ['charge', 'payment_intent'] },
  { path: 'payouts', type: 'payout', noun: 'payout', equals: ['status'], ranges: ['arrival_date'] },
  {
    path: 'balance_transactions',
    type: 'balance_transaction',
    noun: 'balance transaction',
    equals: ['type', 'source', 'currency'],
    where: ({ state }, caller, query) => {
      if (query.payout === undefined) return undefined;
      // Stripe lists what a payout settled only for automatic payouts (stripe-facts.md, "Lists").
      const payout = state.find(caller.account, caller.mode, 'payout', String(query.payout));
      if (payout && payout.automatic === false) {
        throw new StripeError(400, {
          type: 'invalid_request_error',
          param: 'payout',
          message: 'Balance transaction history can only be filtered on automatic transfers, not manual.',
        });
      }
      const settled = settledByOf(state, caller.account, caller.mode);
      return (o) => settled.get(o.id) === query.payout;
    },
  },
  {
    path: 'radar/early_fraud_warnings',
    type: 'radar.early_fraud_warning',
    noun: 'early fraud warning',
    equals: ['charge'],
    where: ({ state }, caller, query) => {
      if (query.payment_intent === undefined) return undefined;
      return (o) => state.find(caller.account, caller.mode, 'charge', o.charge as string)?.payment_intent === query.payment_intent;
    },
  },
  { path: 'files', type: 'file', noun: 'file', equals: ['purpose'] },
  { path: 'reporting/report_runs', type: 'reporting.report_run', noun: 'report run' },
];

/** This request's latency: fixed, or uniform between latencyMs and latencyMaxMs (Math.random, so the
 *  seeded ids and data never depend on timing). */
function latencyOf(settings: EmulatorContext['state']['settings']): number {
  const { latencyMs, latencyMaxMs } = settings;
  if (!latencyMaxMs || latencyMaxMs <= latencyMs) return latencyMs;
  return latencyMs + Math.random() * (latencyMaxMs - latencyMs);
}

/** Values that change with time alone are brought up to date when served. */
function render(ctx: EmulatorContext, o: StripeObject): StripeObject {
  if (o.object === 'balance_transaction' && o.status === 'pending' && (o.available_on as number) <= ctx.state.now()) o.status = 'available';
  return o;
}

type Handler = (req: Request, caller: Caller) => unknown;

/** The Stripe API routes under /v1, each behind authentication, faults, rate limits and counters. */
export function apiRoutes(ctx: EmulatorContext): Router {
  const router = Router();
  const idempotent = new Map<string, unknown>();

  const route = (handler: Handler) => async (req: Request, res: Response, next: NextFunction) => {
    let end: (() => void) | undefined;
    try {
      const caller = authenticate(ctx.state, req);
      end = ctx.traffic.begin(caller.account, caller.mode, req.method, req.path);
      const latency = latencyOf(ctx.state.settings);
      if (latency) await new Promise((r) => setTimeout(r, latency));
      const fault = ctx.traffic.fault(req, caller.account);
      if (fault?.action === 'reset') return void req.socket.destroy();
      if (fault) throw faultError(fault);
      ctx.traffic.checkRate(caller.account, caller.mode, req.method, req.path);
      ctx.traffic.count(caller.account, req.method, req.path);
      const key = req.headers['idempotency-key'];
      const cacheKey = typeof key === 'string' && req.method === 'POST' ? `${caller.account}:${caller.mode}:${key}` : undefined;
      if (cacheKey && idempotent.has(cacheKey)) return void res.json(idempotent.get(cacheKey));
      const body = await handler(req, caller);
      if (cacheKey) idempotent.set(cacheKey, body);
      if (Buffer.isBuffer(body)) return void res.type('text/csv').send(body);
      res.json(body);
    } catch (err) {
      next(err);
    } finally {
      end?.();
    }
  };

  for (const r of RESOURCES) {
    const allowed = new Set([...COMMON_PARAMS, ...(r.equals ?? []), ...(r.ranges ?? []), ...(r.where ? ['payout', 'payment_intent'] : [])]);
    router.get(
      `/v1/${r.path}`,
      route((req, caller) => {
        const query = req.query as Query;
        for (const param of Object.keys(query)) {
          if (!allowed.has(param)) throw errors.invalid(param, `Received unknown parameter: ${param}`, 'parameter_unknown');
        }
        const ranges = (r.ranges ?? []).map((p) => ({ p, ...rangeFilter(query, p) }));
        const extra = r.where?.(ctx, caller, query);
        const where = (o: StripeObject) =>
          (r.equals ?? []).every((p) => query[p] === undefined || o[p] === query[p]) &&
          ranges.every(({ p, gte, lt }) => (o[p] as number) >= gte && (o[p] as number) < lt) &&
          (!extra || extra(o));
        const page = listPage(ctx.state.collection(caller.account, caller.mode, r.type), query, {
          url: `/v1/${r.path}`,
          resource: r.noun,
          where,
          now: ctx.state.nowMs(),
        });
        page.data = page.data.map((o) => render(ctx, o));
        return page;
      }),
    );
    router.get(
      `/v1/${r.path}/:id`,
      route((req, caller) => {
        const id = String(req.params.id);
        const object = ctx.state.find(caller.account, caller.mode, r.type, id);
        if (!object) throw errors.missing(r.noun, id);
        return render(ctx, object);
      }),
    );
  }

  router.get(
    '/v1/events',
    route((req, caller) => {
      const query = req.query as Query;
      const allowed = new Set([...COMMON_PARAMS, 'type', 'types', 'delivery_success']);
      for (const param of Object.keys(query)) {
        if (!allowed.has(param)) throw errors.invalid(param, `Received unknown parameter: ${param}`, 'parameter_unknown');
      }
      if (query.type !== undefined && query.types !== undefined) {
        throw errors.invalid('types', 'You may only specify one of these parameters: type, types.', 'parameters_exclusive');
      }
      const types = query.types === undefined ? undefined : ([] as unknown[]).concat(Object.values(query.types as object)).map(String);
      if (types && types.length > 20) throw errors.invalid('types', 'You may pass at most 20 types.');
      const matcher = (pattern: string) => {
        const regex = new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`);
        return (t: string) => regex.test(t);
      };
      const single = typeof query.type === 'string' ? matcher(query.type) : undefined;
      const floor = ctx.state.now() - EVENT_RETENTION;
      const page = listPage(ctx.state.collection(caller.account, caller.mode, 'event'), query, {
        url: '/v1/events',
        resource: 'event',
        now: ctx.state.nowMs(),
        where: (e) => e.created >= floor && (!single || single(e.type as string)) && (!types || types.includes(e.type as string)),
      });
      return page;
    }),
  );
  router.get(
    '/v1/events/:id',
    route((req, caller) => {
      const id = String(req.params.id);
      const event = ctx.state.find(caller.account, caller.mode, 'event', id);
      if (!event || event.created < ctx.state.now() - EVENT_RETENTION) throw errors.missing('event', id);
      return event;
    }),
  );

  router.get(
    '/v1/account',
    route((_req, caller) => accountObject(ctx, caller.account)),
  );
  router.get(
    '/v1/accounts/:id',
    route((req, caller) => {
      if (caller.key.kind !== 'platform' && req.params.id !== caller.account) throw errors.missing('account', String(req.params.id));
      return accountObject(ctx, String(req.params.id));
    }),
  );

  router.get(
    '/v1/balance',
    route((_req, caller) => balance(ctx, caller)),
  );

  router.get(
    '/v1/files/:id/contents',
    route((req, caller) => {
      const id = String(req.params.id);
      const contents = ctx.state.find(caller.account, caller.mode, 'file', id) && ctx.reporting.files.get(id);
      if (!contents) throw errors.missing('file', id);
      return contents;
    }),
  );

  router.get(
    '/v1/reporting/report_types',
    route((_req, caller) => ({
      object: 'list',
      data: ctx.reporting.types(caller.account, caller.mode),
      has_more: false,
      url: '/v1/reporting/report_types',
    })),
  );
  router.get(
    '/v1/reporting/report_types/:id',
    route((req, caller) => {
      const type = ctx.reporting.types(caller.account, caller.mode).find((t) => t.id === req.params.id);
      if (!type) throw errors.missing('report type', String(req.params.id));
      return type;
    }),
  );
  router.post(
    '/v1/reporting/report_runs',
    route((req, caller) => ctx.reporting.createRun(caller.account, caller.mode, req.body ?? {})),
  );

  return router;
}

function accountObject(ctx: EmulatorContext, id: string): StripeObject {
  const account = ctx.state.accounts.get(id);
  if (!account) throw errors.missing('account', id);
  return objects.account(account);
}

/** Available and pending balance per currency, from the balance transactions. */
function balance(ctx: EmulatorContext, caller: Caller) {
  const now = ctx.state.now();
  const sums = new Map<string, { available: number; pending: number }>();
  for (const t of ctx.state.collection(caller.account, caller.mode, 'balance_transaction').all()) {
    const s = sums.get(t.currency as string) ?? { available: 0, pending: 0 };
    if ((t.available_on as number) <= now) s.available += t.net as number;
    else s.pending += t.net as number;
    sums.set(t.currency as string, s);
  }
  if (!sums.size) sums.set(ctx.state.accounts.get(caller.account)?.defaultCurrency ?? 'usd', { available: 0, pending: 0 });
  const entries = [...sums.entries()];
  return objects.build('balance', {
    available: entries.map(([currency, s]) => ({ amount: s.available, currency, source_types: { card: s.available } })),
    connect_reserved: entries.map(([currency]) => ({ amount: 0, currency })),
    livemode: caller.mode === 'live',
    pending: entries.map(([currency, s]) => ({ amount: s.pending, currency, source_types: { card: s.pending } })),
  });
}

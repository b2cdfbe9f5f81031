import type { Request } from 'express';
import { errors, StripeError } from './errors.js';
import type { EmulatorState } from './state.js';

export interface FaultRule {
  id: string;
  method?: string;
  /** Regular expression matched against the request path. */
  path: string;
  account?: string;
  /** HTTP status to answer with, or 'reset' to drop the connection. */
  action: number | 'reset';
  /** Probability per matching request (default 1). */
  rate?: number;
  /** Only the first N matching requests (default unlimited). */
  times?: number;
  headers?: Record<string, string>;
  hits: number;
}

/** Endpoint family used for per-endpoint limits and counters: `/v1/charges/ch_1` → `GET /v1/charges`. */
export function routeKey(method: string, path: string): string {
  // Static segments are lowercase words; ids (ch_3Pq…, balance.summary.1) carry digits or capitals.
  const segments = path.split('/').filter((p) => p && (p === 'v1' || !/[0-9A-Z]/.test(p)));
  return `${method} /${segments.join('/')}`;
}

/** Rate limits, fault rules and request counters: the traffic side of the emulator. */
export class Traffic {
  readonly faults: FaultRule[] = [];
  readonly counters = new Map<string, number>();
  private readonly windows = new Map<string, number[]>();
  /** Per account: requests served in each epoch second, 429s answered, and the most requests of one
   *  endpoint ever in flight at once (tests of pacing and of jobs that must not overlap read these). */
  private readonly perSecond = new Map<string, Map<number, number>>();
  private readonly limited = new Map<string, number>();
  private readonly inFlight = new Map<string, number>();
  private readonly maxInFlight = new Map<string, number>();
  private readonly concurrencyLimited = new Map<string, number>();
  /** Per account: single-object GETs (`GET /v1/charges/ch_…`) per endpoint family. */
  private readonly retrieves = new Map<string, Map<string, number>>();

  /**
   * A request of `account` is being served; call the result when it is done. Past the concurrency
   * limit (settings.concurrency) it is refused with a 429 naming the limiter, and not counted.
   */
  begin(account: string, mode: 'test' | 'live', method: string, path: string): () => void {
    const key = `${account} ${routeKey(method, path)}`;
    const all = `${account} ${mode} *`;
    const limits = this.state.settings.concurrency;
    const overall = this.inFlight.get(all) ?? 0;
    const endpoint = this.inFlight.get(`${key} ${mode}`) ?? 0;
    if ((limits.global && overall >= limits.global) || (limits.endpoint && endpoint >= limits.endpoint)) {
      this.limited.set(account, (this.limited.get(account) ?? 0) + 1);
      this.concurrencyLimited.set(account, (this.concurrencyLimited.get(account) ?? 0) + 1);
      throw errors.rateLimited(limits.global && overall >= limits.global ? 'global-concurrency' : 'endpoint-concurrency');
    }
    for (const k of [all, `${key} ${mode}`]) this.inFlight.set(k, (this.inFlight.get(k) ?? 0) + 1);
    const n = (this.inFlight.get(key) ?? 0) + 1;
    this.inFlight.set(key, n);
    this.maxInFlight.set(key, Math.max(n, this.maxInFlight.get(key) ?? 0));
    const total = this.inFlight.get(all)!;
    this.maxInFlight.set(all, Math.max(total, this.maxInFlight.get(all) ?? 0));
    return () => {
      for (const k of [key, all, `${key} ${mode}`]) this.inFlight.set(k, (this.inFlight.get(k) ?? 1) - 1);
    };
  }

  report(account: string) {
    const prefix = `${account} `;
    return {
      per_second: Object.fromEntries(this.perSecond.get(account) ?? []),
      rate_limited: this.limited.get(account) ?? 0,
      concurrency_limited: this.concurrencyLimited.get(account) ?? 0,
      retrieves: Object.fromEntries(this.retrieves.get(account) ?? []),
      max_in_flight: Object.fromEntries(
        [...this.maxInFlight].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]),
      ),
    };
  }

  constructor(private readonly state: EmulatorState) {}

  count(account: string, method: string, path: string): void {
    const second = Math.floor(Date.now() / 1000);
    let seconds = this.perSecond.get(account);
    if (!seconds) this.perSecond.set(account, (seconds = new Map()));
    seconds.set(second, (seconds.get(second) ?? 0) + 1);
    const last = path.split('/').pop() ?? '';
    if (method === 'GET' && /[0-9A-Z]/.test(last) && !path.startsWith('/v1/files')) {
      let byRoute = this.retrieves.get(account);
      if (!byRoute) this.retrieves.set(account, (byRoute = new Map()));
      byRoute.set(routeKey(method, path), (byRoute.get(routeKey(method, path)) ?? 0) + 1);
    }
    for (const key of [routeKey(method, path), `${account} ${routeKey(method, path)}`]) {
      this.counters.set(key, (this.counters.get(key) ?? 0) + 1);
    }
  }

  /** Sliding one-second windows, like Stripe's per-account budgets. Throws a 429 when over. */
  checkRate(account: string, mode: 'test' | 'live', method: string, path: string): void {
    const limits = this.state.settings.rateLimits;
    if (!limits.enabled) return;
    const now = Date.now();
    const endpoint = routeKey(method, path);
    const files = path.startsWith('/v1/files');
    const global = mode === 'live' ? limits.liveGlobal : limits.test;
    const perEndpoint = files ? limits.files : mode === 'live' ? limits.liveEndpoint : limits.test;
    const g = this.window(`${account}:${mode}`, now);
    const e = this.window(`${account}:${mode}:${endpoint}`, now);
    if (g.length >= global || e.length >= perEndpoint) {
      this.limited.set(account, (this.limited.get(account) ?? 0) + 1);
      throw errors.rateLimited(g.length >= global ? 'global-rate' : 'endpoint-rate');
    }
    g.push(now);
    e.push(now);
  }

  private window(key: string, now: number): number[] {
    let w = this.windows.get(key);
    if (!w) this.windows.set(key, (w = []));
    let drop = 0;
    while (drop < w.length && w[drop]! <= now - 1000) drop++;
    if (drop) w.splice(0, drop);
    return w;
  }

  /** The first fault rule that fires for this request, if any. */
  fault(req: Request, account?: string): FaultRule | undefined {
    for (const rule of this.faults) {
      if (rule.method && rule.method.toUpperCase() !== req.method) continue;
      if (!new RegExp(rule.path).test(req.path)) continue;
      if (rule.account && rule.account !== account) continue;
      if (rule.times !== undefined && rule.hits >= rule.times) continue;
      if (rule.rate !== undefined && !this.state.random.chance(rule.rate)) continue;
      rule.hits++;
      return rule;
    }
    return undefined;
  }
}

export function faultError(rule: FaultRule): StripeError {
  const error = rule.action === 429 ? errors.rateLimited('global-rate') : errors.api(rule.action as number);
  Object.assign(error.headers, rule.headers ?? {});
  return error;
}

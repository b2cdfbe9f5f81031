import Stripe from 'stripe';
import type { ConnectionStripe } from '../connections/connection-stripe.js';
import { getConnection, transition, updateConnection, type Connection } from '../connections/connection-repository.js';
import type { Db } from '../db/database.js';
import type { Logger } from '../logging/logger.js';
import { RESOURCES, resourceByName } from '../resources/registry.js';
import type { ResourceModule } from '../resources/resource.js';
import type { RateLimiters } from '../stripe/rate-limiter.js';
import { connectionSettings } from '../connections/connection-settings.js';
import { STOPPED_STATES } from '../../shared/connection-states.js';
import { activeRun, createRun, finishRun, recordRunError, type BackfillRun } from './backfill/backfill-repository.js';
import { backfillResource, type Progress, type ResourceBackfillDeps } from './backfill/resource-backfill.js';
import { verifyRun, type Verification } from './backfill/verify.js';
import { takeBalanceSnapshot } from './balance-snapshot.js';

export interface ImportOptions {
  resources?: string[];
  /** Unix seconds: import from here instead of from the beginning (a new run). */
  since?: number;
  /** Start new runs even where earlier ones finished. */
  full?: boolean;
  verify?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: Progress & { state: string }) => void;
  /** Every retried Stripe call (429s included), for counters. */
  onRetry?: (err: unknown) => void;
}

export interface ResourceOutcome {
  resource: string;
  state: 'succeeded' | 'failed' | 'skipped' | 'interrupted';
  objects: number;
  verification?: Verification;
  error?: string;
  permission?: string;
}

/**
 * The historical import of one connection: every resource in parallel under the account's rate
 * limiter, resumed from checkpoints where a run is unfinished, verified at the end; then the
 * connection's state says what happened (live, permission_missing naming what, or degraded).
 */
export class ImportService {
  private readonly controllers = new Map<string, AbortController>();

  constructor(private readonly deps: {
    db: Db; stripe: ConnectionStripe; limiters: RateLimiters; logger: Logger; concurrency?: number; backoffBaseMs?: number;
    /** The import finished: what needs the history (reports) can start. */
    onLive?: (connectionId: string) => void;
  }) {}

  abort(connectionId: string): void {
    this.controllers.get(connectionId)?.abort(new Error('import stopped'));
  }

  async run(connectionId: string, options: ImportOptions = {}): Promise<ResourceOutcome[]> {
    const { db, logger } = this.deps;
    const connection = await getConnection(db, connectionId);
    if (!connection || STOPPED_STATES.includes(connection.state)) return [];
    const controller = new AbortController();
    this.controllers.set(connectionId, controller);
    const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
    try {
      if (connection.state !== 'backfilling') await transition(db, connectionId, 'backfilling', 'historical import running');
      const session = await this.deps.stripe.session(connection);
      const limiter = this.deps.limiters.for(connection.accountId, connection.livemode ? 'live' : 'test');
      const base: ResourceBackfillDeps = {
        db, limiter, signal, accountId: connection.accountId, livemode: connection.livemode, concurrency: this.deps.concurrency ?? 8,
        client: session.client, refreshAuth: session.refreshAuth, backoffBaseMs: this.deps.backoffBaseMs,
        onRetry: (err) => {
          options.onRetry?.(err);
          logger.debug({ err, connectionId }, 'stripe call retried');
        },
      };
      // The merchant may have asked for history only from a date on (app settings).
      const { historySince } = await connectionSettings(db, connectionId);
      const since = historySince ? Math.floor(Date.parse(historySince) / 1000) : 0;
      const floor = Math.max(await accountFloor(session.client()), since);
      const ceiling = Math.floor(Date.now() / 1000) + 1;
      const resources = (options.resources ?? RESOURCES.map((r) => r.name)).map((n) => resourceByName(n)!);
      const outcomes = await Promise.all(resources.map((r) => this.runResource(connection, r, { ...base, onProgress: (p) => options.onProgress?.({ ...p, state: 'importing' }) }, { ...options, floor, ceiling })));
      if (signal.aborted) return outcomes;
      // Part of an import (one resource's job): the last part to finish settles the whole.
      const all = await this.withOtherResources(connectionId, outcomes);
      if (!all) return outcomes;
      const balance = await takeBalanceSnapshot(db, connection, session.client(), limiter).catch((err: unknown) => err);
      if (balance instanceof Stripe.errors.StripePermissionError) all.push({ resource: 'balance', state: 'failed', objects: 0, permission: 'balance_read', error: balance.message });
      await this.settleState(connection, all);
      return outcomes;
    } finally {
      this.controllers.delete(connectionId);
    }
  }

  /** Marks the connection as importing before its resources are queued as separate jobs. */
  async begin(connectionId: string): Promise<void> {
    const connection = await getConnection(this.deps.db, connectionId);
    if (connection && !STOPPED_STATES.includes(connection.state) && connection.state !== 'backfilling') {
      await transition(this.deps.db, connectionId, 'backfilling', 'historical import running');
    }
  }

  /**
   * These outcomes plus where every other resource's latest run stands; null while another
   * resource is still importing or not started (its job will settle the connection when it finishes).
   */
  private async withOtherResources(connectionId: string, outcomes: ResourceOutcome[]): Promise<ResourceOutcome[] | null> {
    const mine = new Set(outcomes.map((o) => o.resource));
    const others = RESOURCES.filter((r) => !mine.has(r.name));
    if (!others.length) return [...outcomes];
    const latest = await this.deps.db('backfill_runs').whereIn('id', this.deps.db('backfill_runs').where({ connection_id: connectionId })
      .whereIn('resource', others.map((r) => r.name)).groupBy('resource').max('id'));
    // A resource whose job has not started yet has no run at all: not done either. (A resource added
    // by a later release needs its import queued for existing connections, or they wait here.)
    if (latest.length < others.length || latest.some((r: Record<string, unknown>) => r.state === 'running')) return null;
    return [...outcomes, ...latest.map((r: Record<string, unknown>): ResourceOutcome => {
      const resource = resourceByName(String(r.resource))!;
      return r.state === 'failed'
        ? { resource: resource.name, state: 'failed', objects: 0, permission: resource.permission, error: String(r.last_error ?? '') }
        : { resource: resource.name, state: 'succeeded', objects: Number(r.objects) };
    })];
  }

  /** Verifies the latest finished run of a resource again, repairing and recording any gap. */
  async verify(connectionId: string, resourceName: string): Promise<Verification> {
    const { db } = this.deps;
    const connection = await getConnection(db, connectionId);
    const resource = resourceByName(resourceName);
    if (!connection || !resource) throw new Error(`nothing to verify for ${connectionId}/${resourceName}`);
    const row = await db('backfill_runs').where({ connection_id: connectionId, resource: resourceName, state: 'succeeded' }).orderBy('id', 'desc').first();
    if (!row) throw new Error(`${resourceName} of ${connectionId} has no finished import to verify`);
    const session = await this.deps.stripe.session(connection);
    const deps: ResourceBackfillDeps = {
      db, accountId: connection.accountId, livemode: connection.livemode, concurrency: this.deps.concurrency ?? 8,
      limiter: this.deps.limiters.for(connection.accountId, connection.livemode ? 'live' : 'test'),
      client: session.client, refreshAuth: session.refreshAuth,
    };
    const verification = await verifyRun(deps, resource, { id: Number(row.id), lt: Number(row.created_lt) });
    await db('backfill_runs').where({ id: row.id }).update({ verification: JSON.stringify(verification) });
    return verification;
  }

  private async runResource(connection: Connection, resource: ResourceModule, deps: ResourceBackfillDeps, o: ImportOptions & { floor: number; ceiling: number }): Promise<ResourceOutcome> {
    const { db } = this.deps;
    let run: BackfillRun | null = o.full || o.since !== undefined ? null : await activeRun(db, connection.id, resource.name);
    if (!run) {
      if (!o.full && o.since === undefined) {
        const done = await db('backfill_runs').where({ connection_id: connection.id, resource: resource.name, state: 'succeeded' }).first('id');
        if (done) return { resource: resource.name, state: 'skipped', objects: 0 };
      }
      await db('backfill_runs').where({ connection_id: connection.id, resource: resource.name, state: 'running' }).update({ state: 'cancelled', finished_at: Date.now() });
      run = await createRun(db, { connectionId: connection.id, resource: resource.name, gte: o.since ?? null, floor: o.since ?? o.floor, lt: o.ceiling });
    }
    try {
      await backfillResource(deps, resource, run);
      const verification = o.verify === false ? undefined : await verifyRun(deps, resource, run);
      await finishRun(db, run.id, 'succeeded', { verification });
      const objects = Number((await db('backfill_runs').where({ id: run.id }).first('objects')).objects);
      o.onProgress?.({ resource: resource.name, objects, pages: 0, estimatedTotal: objects, requests: 0, state: 'done' });
      return { resource: resource.name, state: 'succeeded', objects, verification };
    } catch (err) {
      if (deps.signal?.aborted) return { resource: resource.name, state: 'interrupted', objects: 0 };
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof Stripe.errors.StripePermissionError) {
        await finishRun(db, run.id, 'failed', { error: `permission denied (${resource.permission}): ${message}` });
        return { resource: resource.name, state: 'failed', objects: 0, error: message, permission: resource.permission };
      }
      // Transient trouble that outlasted the retries: the run stays open and resumes next time.
      await recordRunError(db, run.id, message);
      this.deps.logger.warn({ err, connectionId: connection.id, resource: resource.name }, 'backfill interrupted');
      return { resource: resource.name, state: 'interrupted', objects: 0, error: message };
    }
  }

  private async settleState(connection: Connection, outcomes: ResourceOutcome[]): Promise<void> {
    const { db } = this.deps;
    // Stopped meanwhile (credentials refused, paused, disconnected): that state says it all.
    const current = await getConnection(db, connection.id);
    if (!current || STOPPED_STATES.includes(current.state)) return;
    const missing = [...new Set(outcomes.flatMap((o) => (o.permission ? [o.permission] : [])))];
    const interrupted = outcomes.filter((o) => o.state === 'interrupted');
    const now = Date.now();
    if (missing.length) {
      const stopped = outcomes.filter((o) => o.permission).map((o) => o.resource);
      await updateConnection(db, connection.id, { missing_permissions: JSON.stringify(missing), last_error: `Stripe refused: ${missing.join(', ')}`, last_error_at: now });
      await transition(db, connection.id, 'permission_missing', `import of ${stopped.join(', ')} stopped: the credentials lack ${missing.join(', ')}`);
    } else if (interrupted.length) {
      await updateConnection(db, connection.id, { last_error: interrupted[0]!.error ?? 'import interrupted', last_error_at: now });
      await transition(db, connection.id, 'degraded', `import of ${interrupted.map((o) => o.resource).join(', ')} interrupted by repeated errors; it resumes from its checkpoint`);
    } else {
      const objects = outcomes.reduce((sum, o) => sum + o.objects, 0);
      const repaired = outcomes.reduce((sum, o) => sum + (o.verification?.repaired ?? 0), 0);
      await updateConnection(db, connection.id, { missing_permissions: null });
      this.deps.onLive?.(connection.id);
      await transition(db, connection.id, 'live', repaired
        ? `historical import complete (${objects} objects); verification found and fetched ${repaired} missing`
        : `historical import complete and verified (${objects} objects)`);
    }
  }
}

/** The account's creation time bounds its history; without it, start at the epoch. */
async function accountFloor(stripe: Stripe): Promise<number> {
  const account = await stripe.accounts.retrieveCurrent().catch(() => null);
  return Math.max(0, (account?.created ?? 0) - 86400);
}

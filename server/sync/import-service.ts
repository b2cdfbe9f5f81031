import Stripe from 'stripe';
import type { ConnectionStripe } from '../connections/connection-stripe.js';
import { getConnection, transition, updateConnection, type Connection } from '../connections/connection-repository.js';
import type { Db } from '../db/database.js';
import { NotFoundError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import { RESOURCES, resourceByName } from '../resources/registry.js';
import type { ResourceModule } from '../resources/resource.js';
import type { Lane, RateLimiters } from '../stripe/rate-limiter.js';
import { connectionSettings } from '../connections/connection-settings.js';
import { historySinceProblem } from '../../shared/contracts/app-api.js';
import { STOPPED_STATES } from '../../shared/connection-states.js';
import {
  activeRun,
  cancelRunning,
  createRun,
  finishRun,
  lastSucceededRun,
  latestRuns,
  pickUpRun,
  recordRunError,
  saveVerification,
  type BackfillRun,
} from './backfill/backfill-repository.js';
import { backfillResource, type Progress, type ResourceBackfillDeps } from './backfill/resource-backfill.js';
import { isVerified, readVerification, verifyRun, type Verification } from './backfill/verify.js';
import { takeBalanceSnapshot } from './balance-snapshot.js';

export interface ImportOptions {
  resources?: string[];
  /** Unix seconds: import from here instead of from the beginning (a new run). */
  since?: number;
  /**
   * Unix seconds: list nothing older, as if history started here. Nothing in the product sets it:
   * it is the seam through which a test gives the import a wrong floor, which verification must find.
   */
  floor?: number;
  /** Start new runs even where earlier ones finished. */
  full?: boolean;
  /** false: queue no verification when the import is done (benchmarks time it apart). */
  verify?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: Progress & { state: string }) => void;
  /** Every retried Stripe call (429s included), for counters. */
  onRetry?: (err: unknown) => void;
  /** Every request sent to Stripe (the benchmark counts them). */
  onRequest?: () => void;
}

export interface ResourceOutcome {
  resource: string;
  state: 'succeeded' | 'failed' | 'skipped' | 'interrupted';
  objects: number;
  error?: string;
  permission?: string;
}

/** `history_since` (a calendar date) in Unix seconds; null when unset. One that is not a usable date throws. */
function sinceOf(historySince: string | null): number | null {
  if (historySince === null) return null;
  const problem = historySinceProblem(historySince);
  if (problem) throw new ImportCannotStart(`the history_since setting ${problem}; choose another date in the app's settings, then resync`);
  return Math.floor(Date.parse(`${historySince}T00:00:00Z`) / 1000);
}

/** A setting that makes any import wrong: the import stops at once and the connection says why. */
class ImportCannotStart extends Error {}

/**
 * The historical import of one connection: every resource in parallel under the account's rate
 * limiter, resumed from checkpoints where a run is unfinished. Once every page is stored the
 * connection is live (or says what stopped it), and verification follows in the background
 * (`verifyImport`), with a bounded share of the rate budget, while live sync already runs.
 */
export class ImportService {
  private readonly controllers = new Map<string, AbortController>();

  constructor(
    private readonly deps: {
      db: Db;
      stripe: ConnectionStripe;
      limiters: RateLimiters;
      logger: Logger;
      concurrency?: number;
      backoffBaseMs?: number;
      /** Every page is stored: what needs the history (reports) can start, and verification is queued. */
      onLive?: (connectionId: string, next: { verify: boolean }) => Promise<void>;
    },
  ) {}

  abort(connectionId: string): void {
    this.controllers.get(connectionId)?.abort(new Error('import stopped'));
  }

  /** What a resource's backfill or verification needs for this connection: its client, limiter and counters. */
  private async resourceDeps(
    connection: Connection,
    o: { signal?: AbortSignal; lane?: Lane; onRetry?: (err: unknown) => void; onRequest?: () => void },
  ): Promise<ResourceBackfillDeps> {
    const caller = await this.deps.stripe.caller(connection);
    return {
      db: this.deps.db,
      accountId: connection.accountId,
      livemode: connection.livemode,
      concurrency: this.deps.concurrency ?? 8,
      limiter: caller.limiter,
      client: caller.client,
      refreshAuth: caller.refreshAuth,
      backoffBaseMs: this.deps.backoffBaseMs,
      signal: o.signal,
      lane: o.lane,
      onRequest: o.onRequest,
      onRetry: (err) => {
        o.onRetry?.(err);
        this.deps.logger.debug({ err, connectionId: connection.id }, 'stripe call retried');
      },
    };
  }

  async run(connectionId: string, options: ImportOptions = {}): Promise<ResourceOutcome[]> {
    const { db } = this.deps;
    const connection = await getConnection(db, connectionId);
    if (!connection || STOPPED_STATES.includes(connection.state)) return [];
    const controller = new AbortController();
    this.controllers.set(connectionId, controller);
    const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
    try {
      // History has no known start: the merchant's `history_since`, or else everything Stripe holds.
      let since: number | null;
      try {
        since = options.since ?? sinceOf((await connectionSettings(db, connectionId)).historySince);
      } catch (err) {
        if (!(err instanceof ImportCannotStart)) throw err;
        await transition(db, connectionId, 'degraded', `the import cannot start: ${err.message}`);
        return [];
      }
      if (connection.state !== 'backfilling') await transition(db, connectionId, 'backfilling', 'historical import running');
      const base = await this.resourceDeps(connection, { signal, onRetry: options.onRetry, onRequest: options.onRequest });
      const ceiling = Math.floor(Date.now() / 1000) + 1;
      const resources = (options.resources ?? RESOURCES.map((r) => r.name)).map((n) => resourceByName(n)!);
      const outcomes = await Promise.all(
        resources.map((r) =>
          this.runResource(
            connection,
            r,
            { ...base, onProgress: (p) => options.onProgress?.({ ...p, state: 'importing' }) },
            {
              ...options,
              gte: since,
              floor: options.floor ?? since ?? 0,
              ceiling,
            },
          ),
        ),
      );
      if (signal.aborted) return outcomes;
      // Part of an import (one resource's job): the last part to finish settles the whole.
      const all = await this.withOtherResources(connectionId, outcomes);
      if (!all) return outcomes;
      const balance = await takeBalanceSnapshot(db, connection, base.client(), base.limiter).catch((err: unknown) => err);
      if (balance instanceof Stripe.errors.StripePermissionError)
        all.push({ resource: 'balance', state: 'failed', objects: 0, permission: 'balance_read', error: balance.message });
      await this.settleState(connection, all, options.verify !== false);
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
    const latest = [
      ...(
        await latestRuns(
          this.deps.db,
          connectionId,
          others.map((r) => r.name),
        )
      ).values(),
    ];
    // A resource whose job has not started yet has no run at all: not done either. (A resource added
    // by a later release needs its import queued for existing connections, or they wait here.)
    if (latest.length < others.length || latest.some((r) => r.state === 'running')) return null;
    return [
      ...outcomes,
      ...latest.map((r): ResourceOutcome => {
        const resource = resourceByName(r.resource)!;
        return r.state === 'failed'
          ? { resource: resource.name, state: 'failed', objects: 0, permission: resource.permission, error: r.lastError ?? '' }
          : { resource: resource.name, state: 'succeeded', objects: r.objects };
      }),
    ];
  }

  /**
   * Verifies every resource whose latest run finished and is not verified yet (or was verified by
   * the old check, which trusted the import's floor), in the background lane; then says so in the
   * connection's state reason. Resumes a stopped verification where it was.
   */
  async verifyImport(connectionId: string, options: { signal?: AbortSignal; onRequest?: () => void } = {}): Promise<Verification[]> {
    const { db } = this.deps;
    const connection = await getConnection(db, connectionId);
    if (!connection || STOPPED_STATES.includes(connection.state)) return [];
    const runs = [...(await latestRuns(db, connectionId)).values()].filter((r) => r.state === 'succeeded' && !isVerified(r));
    if (!runs.length) return [];
    const deps = await this.resourceDeps(connection, { ...options, lane: 'background' });
    const results = await Promise.all(
      runs.map(async (run) => {
        const verification = await verifyRun(deps, resourceByName(run.resource)!, run);
        await saveVerification(db, run.id, verification);
        return verification;
      }),
    );
    await this.settleVerification(connectionId);
    return results;
  }

  /** Verifies one resource's latest finished run again (support and tests), recording what it found. */
  async verify(connectionId: string, resourceName: string): Promise<Verification> {
    const { db } = this.deps;
    const connection = await getConnection(db, connectionId);
    const resource = resourceByName(resourceName);
    if (!connection || !resource) throw new NotFoundError(`Nothing to verify for ${connectionId}/${resourceName}`);
    const run = await lastSucceededRun(db, connectionId, resourceName);
    if (!run) throw new NotFoundError(`${resourceName} of ${connectionId} has no finished import to verify`);
    await saveVerification(db, run.id, null);
    const verification = await verifyRun(await this.resourceDeps(connection, {}), resource, { ...run, verification: null });
    await saveVerification(db, run.id, verification);
    return verification;
  }

  /** Once every resource of a live connection is verified, its state reason says so. */
  private async settleVerification(connectionId: string): Promise<void> {
    const { db } = this.deps;
    const runs = [...(await latestRuns(db, connectionId)).values()];
    if (runs.length < RESOURCES.length || !runs.every(isVerified)) return;
    const current = await getConnection(db, connectionId);
    if (current?.state !== 'live') return;
    const objects = runs.reduce((n, r) => n + r.objects, 0);
    const found = runs.reduce((n, r) => n + readVerification(r).foundMissing, 0);
    const repaired = runs.reduce((n, r) => n + readVerification(r).repaired, 0);
    // What the import said, with the total as it is now (a repair adds to it), then what verification found.
    const said = current.stateReason?.endsWith('; verifying')
      ? current.stateReason.slice(0, -'; verifying'.length)
      : `historical import complete (${objects} objects)`;
    const base = said.replace(/\((\d+) (objects|stored)\)$/, `(${objects} $2)`);
    const verified = !found ? 'verified' : `verification found ${found} missing and stored ${repaired === found ? 'them' : repaired}`;
    await transition(db, connectionId, 'live', `${base}; ${verified}`);
  }

  private async runResource(
    connection: Connection,
    resource: ResourceModule,
    deps: ResourceBackfillDeps,
    o: ImportOptions & { gte: number | null; floor: number; ceiling: number },
  ): Promise<ResourceOutcome> {
    const { db } = this.deps;
    let run: BackfillRun | null = o.full || o.since !== undefined ? null : await activeRun(db, connection.id, resource.name);
    if (!run) {
      if (!o.full && o.since === undefined) {
        const done = await lastSucceededRun(db, connection.id, resource.name);
        if (done) return { resource: resource.name, state: 'skipped', objects: done.objects };
      }
      await cancelRunning(db, connection.id, resource.name);
      run = await createRun(db, { connectionId: connection.id, resource: resource.name, gte: o.gte, floor: o.floor, lt: o.ceiling });
    }
    await pickUpRun(db, run.id);
    try {
      await backfillResource(deps, resource, run);
      await finishRun(db, run.id, 'succeeded');
      const objects = (await latestRuns(db, connection.id, [resource.name])).get(resource.name)?.objects ?? 0;
      o.onProgress?.({ resource: resource.name, objects, pages: 0, estimatedTotal: objects, requests: 0, state: 'done' });
      return { resource: resource.name, state: 'succeeded', objects };
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

  private async settleState(connection: Connection, outcomes: ResourceOutcome[], verify: boolean): Promise<void> {
    const { db } = this.deps;
    // Stopped meanwhile (credentials refused, paused, disconnected): that state says it all.
    const current = await getConnection(db, connection.id);
    if (!current || STOPPED_STATES.includes(current.state)) return;
    const missing = [...new Set(outcomes.flatMap((o) => (o.permission ? [o.permission] : [])))];
    const interrupted = outcomes.filter((o) => o.state === 'interrupted');
    const now = Date.now();
    if (missing.length) {
      const stopped = outcomes.filter((o) => o.permission).map((o) => o.resource);
      await updateConnection(db, connection.id, {
        missing_permissions: JSON.stringify(missing),
        last_error: `Stripe refused: ${missing.join(', ')}`,
        last_error_at: now,
      });
      await transition(
        db,
        connection.id,
        'permission_missing',
        `import of ${stopped.join(', ')} stopped: the credentials lack ${missing.join(', ')}`,
      );
    } else if (interrupted.length) {
      await updateConnection(db, connection.id, { last_error: interrupted[0]!.error ?? 'import interrupted', last_error_at: now });
      await transition(
        db,
        connection.id,
        'degraded',
        `import of ${interrupted.map((o) => o.resource).join(', ')} interrupted by repeated errors; it resumes from its checkpoint`,
      );
    } else {
      // Resumed or resynced in part, the rest may be verified already: say only what is true.
      const runs = [...(await latestRuns(db, connection.id)).values()];
      const unverified = runs.some((r) => !isVerified(r));
      await updateConnection(db, connection.id, { missing_permissions: null });
      const verification = !unverified ? '; verified' : verify ? '; verifying' : '';
      await transition(db, connection.id, 'live', `${importSummary(current, runs)}${verification}`);
      await this.deps.onLive?.(connection.id, { verify: verify && unverified });
    }
  }
}

/**
 * What this import did, in the words of what started it: "historical import complete (1,234
 * objects)" the first time; "resumed by support; 12 new objects (1,246 stored)" or "…; nothing new"
 * after. New objects are what runs gained since a job took them up in this import.
 */
function importSummary(connection: Connection, runs: BackfillRun[]): string {
  const since = connection.state === 'backfilling' ? connection.stateChangedAt : 0;
  const total = runs.reduce((n, r) => n + r.objects, 0);
  const touched = runs.filter((r) => r.pickedUpAt !== null && r.pickedUpAt >= since);
  const added = touched.reduce((n, r) => n + Math.max(0, r.objects - r.objectsBefore), 0);
  const first = touched.length === runs.length && touched.every((r) => r.objectsBefore === 0 && r.startedAt >= since);
  const trigger = (connection.state === 'backfilling' ? (connection.stateReason ?? '') : '').split(';')[0]!;
  if (first && !/resync/.test(trigger)) return `historical import complete (${String(total)} objects)`;
  const what = /resync/.test(trigger) ? `${added} objects imported again` : added ? `${added} new objects` : 'nothing new';
  return `${trigger && trigger !== 'historical import running' ? trigger : 'import resumed'}; ${what} (${String(total)} stored)`;
}

import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import PgBoss from 'pg-boss';
import type { Db } from '../db/database.js';
import type { Logger } from '../logging/logger.js';
import { lockKeyOf } from './job-runner.js';
import { JobLocks } from './job-locks.js';
import type { JobMetrics } from './job-metrics.js';
import { checkedHandler, LIVE_JOB, type EnqueueOptions, type JobDefinition, type JobHandler, type Jobs } from './jobs.js';

export interface PgBossJobsOptions {
  db: Db;
  connectionString: string;
  logger: Logger;
  metrics?: JobMetrics;
  /** A running job's lease: pg-boss expires a job (and we drop its lock) this long after its worker went silent. */
  leaseSeconds: number;
  /** Attempts after the first before a job is dead-lettered. */
  retryLimit?: number;
  /** How often pg-boss looks for expired jobs (and so how soon a killed worker's job is retried). */
  maintenanceIntervalSeconds?: number;
  /** A job failed every attempt. */
  onDeadLetter?: (job: string, payload: Record<string, unknown>, error: string, attempts: number) => Promise<void>;
}

/**
 * Fetch loops per queue in one process, and jobs taken per fetch (run side by side). Live sync has
 * its own loops, so a huge import never starves it. pg-boss waits up to its polling interval
 * between fetches, so short jobs (polls) come in batches or the queue could not keep up.
 */
const WORKERS: Record<string, { loops: number; batch: number }> = {
  'events.poll': { loops: 2, batch: 25 },
  'events.process': { loops: 2, batch: 5 },
  'import.start': { loops: 1, batch: 2 },
  'import.resource': { loops: 2, batch: 1 },
  'import.range': { loops: 1, batch: 1 },
};
const DEFAULT_WORKERS = { loops: 1, batch: 2 };
const DEAD_LETTER_QUEUE = 'jobs.dead';

/**
 * The scale-out backend: every job is a pg-boss job in PostgreSQL, taken by whichever process
 * works its queue. Queues use pg-boss's `short` policy (one waiting job per key); a lease in
 * `job_locks` keeps one *running* job per family and key across processes, and lapses when a
 * worker dies, so the retried job resumes elsewhere from its checkpoint.
 */
export class PgBossJobs implements Jobs {
  readonly backend = 'pg-boss';
  private readonly boss: PgBoss;
  private readonly handlers = new Map<string, JobHandler>();
  private readonly definitions = new Map<string, JobDefinition>();
  private readonly locks: JobLocks;
  private readonly processId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly shutdown = new AbortController();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly periodic: { name: string; intervalMs: number; task: () => Promise<void> }[] = [];
  private booted: Promise<void> | null = null;
  private working = false;
  private stopped = false;

  constructor(private readonly options: PgBossJobsOptions) {
    this.locks = new JobLocks(options.db);
    this.boss = new PgBoss({
      connectionString: options.connectionString,
      max: 4,
      application_name: 'pi-stripe-jobs',
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 30,
      schedule: false,
    });
    this.boss.on('error', (err) => options.logger.error({ err }, 'pg-boss error'));
  }

  register<P = Record<string, unknown>>(
    name: string,
    handler: JobHandler<P>,
    definition: JobDefinition<P> = LIVE_JOB as JobDefinition<P>,
  ): void {
    this.handlers.set(name, checkedHandler(name, handler, definition));
    this.definitions.set(name, definition as JobDefinition);
  }

  /** Installs pg-boss's schema (once) and this process's queues; sending needs it, working too. */
  private boot(): Promise<void> {
    this.booted ??= (async () => {
      await this.boss.start();
      // Processes starting together create the same queues at once, and PostgreSQL may pick one
      // of them as a deadlock victim: creating a queue is idempotent, so try again.
      const create = (name: string, options: PgBoss.Queue) => withRetries(() => this.boss.createQueue(name, options));
      await create(DEAD_LETTER_QUEUE, { name: DEAD_LETTER_QUEUE, policy: 'standard' });
      for (const name of this.handlers.keys()) {
        await create(name, {
          name,
          policy: 'short',
          retryLimit: this.definitions.get(name)?.retryLimit ?? this.options.retryLimit ?? 5,
          retryDelay: 2,
          retryBackoff: true,
          expireInSeconds: this.options.leaseSeconds,
          deadLetter: DEAD_LETTER_QUEUE,
        });
      }
    })();
    return this.booted;
  }

  async enqueue(name: string, payload: Record<string, unknown> = {}, options: EnqueueOptions = {}): Promise<void> {
    if (this.stopped) return;
    if (!this.handlers.has(name)) throw new Error(`no job named ${name}`);
    await this.boot();
    await this.boss.send(name, payload, {
      ...(options.key ? { singletonKey: options.key } : {}),
      ...(options.delayMs ? { startAfter: Math.max(1, Math.round(options.delayMs / 1000)) } : {}),
    });
  }

  async enqueueMany(name: string, jobs: { payload: Record<string, unknown>; key?: string }[]): Promise<void> {
    if (this.stopped || jobs.length === 0) return;
    await this.boot();
    // One INSERT … ON CONFLICT DO NOTHING: a key already waiting absorbs its job, as with send().
    await this.boss.insert(jobs.map((j) => ({ name, data: j.payload, ...(j.key ? { singletonKey: j.key } : {}) })));
  }

  every(name: string, intervalMs: number, task: () => Promise<void>): void {
    this.periodic.push({ name, intervalMs, task });
    if (this.working) this.schedule(this.periodic.at(-1)!);
  }

  async start(): Promise<void> {
    await this.boot();
    this.working = true;
    for (const name of this.handlers.keys()) {
      const { loops, batch } = WORKERS[name] ?? DEFAULT_WORKERS;
      for (let i = 0; i < loops; i++) {
        await this.boss.work<Record<string, unknown>>(
          name,
          { batchSize: batch, pollingIntervalSeconds: 0.5, includeMetadata: true },
          async (jobs) => {
            // Each job of the batch succeeds or fails on its own; pg-boss completes what is still active.
            await Promise.all(
              jobs.map((job) =>
                this.run(name, job).catch((err: unknown) =>
                  this.boss.fail(name, job.id, { message: err instanceof Error ? err.message : String(err) }),
                ),
              ),
            );
          },
        );
      }
    }
    for (const p of this.periodic) this.schedule(p);
    const depth = setInterval(() => void this.reportDepth().catch(() => undefined), 5000);
    depth.unref();
    this.timers.push(depth);
  }

  private async reportDepth(): Promise<void> {
    for (const name of this.handlers.keys())
      this.options.metrics?.depth.set({ job: name }, await this.boss.getQueueSize(name, { before: 'active' }));
  }

  async idle(timeoutMs = 30_000): Promise<void> {
    await this.boot();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let waiting = 0;
      for (const name of this.handlers.keys()) waiting += await this.boss.getQueueSize(name, { before: 'completed' });
      if (waiting === 0) return;
      if (Date.now() > deadline) throw new Error(`jobs still queued or running: ${waiting}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Stops taking jobs; running ones see the abort, hand back their work and are retried elsewhere. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.shutdown.abort(new Error('worker shutting down'));
    for (const t of this.timers) clearInterval(t);
    if (this.booted) await this.boss.stop({ graceful: true, wait: true, timeout: 20_000 });
  }

  /** A periodic task runs in one process per interval: whoever takes its short lease. */
  private schedule({ name, intervalMs, task }: { name: string; intervalMs: number; task: () => Promise<void> }): void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy || this.stopped) return;
      busy = true;
      (async () => {
        if (await this.locks.acquire(`every:${name}`, this.processId, Math.floor(intervalMs * 0.9))) await task();
      })()
        .catch((err: unknown) => this.options.logger.error({ err, job: name }, 'periodic job failed'))
        .finally(() => (busy = false));
    }, intervalMs);
    timer.unref();
    this.timers.push(timer);
  }

  private async run(name: string, job: PgBoss.JobWithMetadata<Record<string, unknown>>): Promise<void> {
    const { logger, metrics } = this.options;
    const leaseMs = this.options.leaseSeconds * 1000;
    const lock = job.singletonKey ? lockKeyOf(name, job.singletonKey) : null;
    const holder = `${this.processId}:${job.id}`;
    if (lock && !(await this.locks.acquire(lock, holder, leaseMs))) {
      // Someone else is running this family and key: ask again shortly (absorbed if already asked).
      await this.boss.send(name, job.data, { singletonKey: job.singletonKey!, startAfter: 1 });
      return;
    }
    const heartbeat = lock ? setInterval(() => void this.locks.renew(lock, holder, leaseMs).catch(() => undefined), leaseMs / 3) : null;
    const done = metrics?.started(name, job.createdOn.getTime());
    try {
      await this.handlers.get(name)!(job.data, { signal: this.shutdown.signal });
      done?.('completed');
    } catch (err) {
      const last = job.retryCount >= job.retryLimit;
      done?.(last ? 'dead' : 'failed');
      const message = err instanceof Error ? err.message : String(err);
      logger.warn(
        { err, job: name, attempt: job.retryCount + 1, of: job.retryLimit + 1 },
        last ? 'job failed for good' : 'job failed; it will be retried',
      );
      if (last) await this.options.onDeadLetter?.(name, job.data, message, job.retryCount + 1).catch(() => undefined);
      throw err;
    } finally {
      if (heartbeat) clearInterval(heartbeat);
      if (lock) await this.locks.release(lock, holder).catch(() => undefined);
    }
  }
}

async function withRetries(fn: () => Promise<void>, attempts = 6): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (attempt >= attempts || (code !== '40P01' && code !== '23505')) throw err;
      await new Promise((r) => setTimeout(r, 50 * attempt + Math.random() * 100));
    }
  }
}

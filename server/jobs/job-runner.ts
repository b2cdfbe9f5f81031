import type { Logger } from '../logging/logger.js';
import { checkedHandler, LIVE_JOB, type EnqueueOptions, type JobDefinition, type JobHandler, type Jobs } from './jobs.js';
import type { JobMetrics } from './job-metrics.js';
import type { JobLocks } from './job-locks.js';

interface QueuedJob {
  name: string;
  payload: Record<string, unknown>;
  /** `name:key`: one waiting job per name and key. */
  key?: string;
  /** `family:key`: one running job per family and key. */
  lock?: string;
  queuedAt: number;
}

/** Jobs of one family (`import.start`, `import.range`) and key exclude each other. */
export const lockKeyOf = (name: string, key: string) => `${name.split('.')[0]}:${key}`;

/**
 * The embedded job runner: in-process, one job at a time per singleton key, periodic tasks that
 * never overlap themselves. Handlers are registered by the features that own the work; a job
 * nobody handles yet is logged and dropped.
 */
export class JobRunner implements Jobs {
  readonly backend = 'embedded';
  private readonly handlers = new Map<string, JobHandler>();
  /** Each job's lane, as its registration declared (JobDefinition). */
  private readonly lanes = new Map<string, JobDefinition['lane']>();
  private readonly queue: QueuedJob[] = [];
  private readonly activeKeys = new Set<string>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Map<string, number>();
  private readonly shutdown = new AbortController();
  private stopped = false;

  constructor(
    private readonly logger: Logger,
    private readonly concurrency = 4,
    private readonly metrics?: JobMetrics,
    /** Imports hold a lease in the database while they run, so other processes see them owned (and take them over once it lapses). */
    private readonly leases?: { locks: JobLocks; leaseMs: number; holder: string },
  ) {}

  register<P = Record<string, unknown>>(
    name: string,
    handler: JobHandler<P>,
    definition: JobDefinition<P> = LIVE_JOB as JobDefinition<P>,
  ): void {
    this.handlers.set(name, checkedHandler(name, handler, definition));
    this.lanes.set(name, definition.lane);
  }

  private laneOf(name: string): JobDefinition['lane'] {
    return this.lanes.get(name) ?? 'live';
  }

  async start(): Promise<void> {}

  /**
   * Queues a job. With a `key`, jobs of that key never run at the same time, and a job already
   * *queued* under it absorbs this one; one that is already *running* does not, since it may have
   * looked at its work before this was asked (it would be a lost wake-up).
   */
  async enqueue(name: string, payload: Record<string, unknown> = {}, options: EnqueueOptions = {}): Promise<void> {
    if (this.stopped) return;
    if (options.delayMs) {
      const timer = setTimeout(() => {
        this.timers.splice(this.timers.indexOf(timer), 1);
        void this.enqueue(name, payload, { key: options.key });
      }, options.delayMs);
      timer.unref();
      this.timers.push(timer);
      return;
    }
    const key = options.key ? `${name}:${options.key}` : undefined;
    if (key && this.queue.some((j) => j.key === key)) return;
    this.queue.push({ name, payload, key, lock: options.key ? lockKeyOf(name, options.key) : undefined, queuedAt: Date.now() });
    this.metrics?.depth.inc({ job: name });
    setImmediate(() => this.drain());
  }

  async enqueueMany(name: string, jobs: { payload: Record<string, unknown>; key?: string }[]): Promise<void> {
    for (const job of jobs) await this.enqueue(name, job.payload, { key: job.key });
  }

  every(name: string, intervalMs: number, task: () => Promise<void>): void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy || this.stopped) return;
      busy = true;
      task()
        .catch((err: unknown) => this.logger.error({ err, job: name }, 'periodic job failed'))
        .finally(() => (busy = false));
    }, intervalMs);
    timer.unref();
    this.timers.push(timer);
  }

  async idle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length || this.total()) {
      if (Date.now() > deadline) throw new Error('jobs still running');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.shutdown.abort(new Error('shutting down'));
    for (const t of this.timers) clearTimeout(t);
    for (const job of this.queue.splice(0)) this.metrics?.depth.dec({ job: job.name });
    await this.idle();
  }

  /** Runs an import-family job under a database lease (renewed while it runs); another process's lease means it is theirs. */
  private async leased(job: QueuedJob, work: () => Promise<void>): Promise<void> {
    const lease = this.leases;
    if (!lease || !job.lock?.startsWith('import:')) return work();
    const holder = `${lease.holder}:${job.name}`;
    if (!(await lease.locks.acquire(job.lock, holder, lease.leaseMs))) {
      this.logger.debug({ job: job.name, lock: job.lock }, 'another process holds this work; left to it');
      return;
    }
    const heartbeat = setInterval(() => void lease.locks.renew(job.lock!, holder, lease.leaseMs).catch(() => undefined), lease.leaseMs / 3);
    try {
      await work();
    } finally {
      clearInterval(heartbeat);
      await lease.locks.release(job.lock, holder).catch(() => undefined);
    }
  }

  private total(): number {
    let n = 0;
    for (const v of this.running.values()) n += v;
    return n;
  }

  private drain(): void {
    for (;;) {
      const index = this.queue.findIndex(
        (j) => (!j.lock || !this.activeKeys.has(j.lock)) && (this.running.get(this.laneOf(j.name)) ?? 0) < this.concurrency,
      );
      if (index < 0) return;
      const [job] = this.queue.splice(index, 1) as [QueuedJob];
      this.metrics?.depth.dec({ job: job.name });
      const handler = this.handlers.get(job.name);
      if (!handler) {
        this.logger.warn({ job: job.name }, 'no handler for job; dropped');
        continue;
      }
      const lane = this.laneOf(job.name);
      this.running.set(lane, (this.running.get(lane) ?? 0) + 1);
      if (job.lock) this.activeKeys.add(job.lock);
      const done = this.metrics?.started(job.name, job.queuedAt);
      this.leased(job, () => handler(job.payload, { signal: this.shutdown.signal }))
        .then(
          () => done?.('completed'),
          (err: unknown) => {
            done?.('failed');
            this.logger.error({ err, job: job.name, payload: job.payload }, 'job failed');
          },
        )
        .finally(() => {
          this.running.set(lane, (this.running.get(lane) ?? 1) - 1);
          if (job.lock) this.activeKeys.delete(job.lock);
          this.drain();
        });
    }
  }
}

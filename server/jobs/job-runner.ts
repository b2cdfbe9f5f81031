import type { Logger } from '../logging/logger.js';

export type JobHandler = (payload: Record<string, unknown>) => Promise<void>;

interface QueuedJob {
  name: string;
  payload: Record<string, unknown>;
  key?: string;
}

/**
 * The embedded job runner: in-process, one job at a time per singleton key, periodic tasks that
 * never overlap themselves. Handlers are registered by the features that own the work; a job
 * nobody handles yet is logged and dropped.
 */
export class JobRunner {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly queue: QueuedJob[] = [];
  private readonly activeKeys = new Set<string>();
  private readonly timers: NodeJS.Timeout[] = [];
  private running = 0;
  private stopped = false;

  constructor(private readonly logger: Logger, private readonly concurrency = 4) {}

  register(name: string, handler: JobHandler): void {
    this.handlers.set(name, handler);
  }

  /**
   * Queues a job. With a `key`, jobs of that key never run at the same time, and a job already
   * *queued* under it absorbs this one; one that is already *running* does not, since it may have
   * looked at its work before this was asked (it would be a lost wake-up).
   */
  enqueue(name: string, payload: Record<string, unknown> = {}, options: { key?: string } = {}): void {
    if (this.stopped) return;
    const key = options.key ? `${name}:${options.key}` : undefined;
    if (key && this.queue.some((j) => j.key === key)) return;
    this.queue.push({ name, payload, key });
    setImmediate(() => this.drain());
  }

  /** Queues a job after a delay (retries of work that failed for a transient reason). */
  enqueueIn(delayMs: number, name: string, payload: Record<string, unknown> = {}, options: { key?: string } = {}): void {
    const timer = setTimeout(() => {
      this.timers.splice(this.timers.indexOf(timer), 1);
      this.enqueue(name, payload, options);
    }, delayMs);
    timer.unref();
    this.timers.push(timer);
  }

  every(name: string, intervalMs: number, task: () => Promise<void>): void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy || this.stopped) return;
      busy = true;
      task().catch((err: unknown) => this.logger.error({ err, job: name }, 'periodic job failed')).finally(() => (busy = false));
    }, intervalMs);
    timer.unref();
    this.timers.push(timer);
  }

  /** Resolves once nothing is queued or running (tests and graceful shutdown). */
  async idle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length || this.running) {
      if (Date.now() > deadline) throw new Error('jobs still running');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.queue.length = 0;
    await this.idle();
  }

  private drain(): void {
    while (this.running < this.concurrency) {
      const index = this.queue.findIndex((j) => !j.key || !this.activeKeys.has(j.key));
      if (index < 0) return;
      const [job] = this.queue.splice(index, 1) as [QueuedJob];
      const handler = this.handlers.get(job.name);
      if (!handler) {
        this.logger.warn({ job: job.name }, 'no handler for job; dropped');
        continue;
      }
      this.running++;
      if (job.key) this.activeKeys.add(job.key);
      handler(job.payload)
        .catch((err: unknown) => this.logger.error({ err, job: job.name, payload: job.payload }, 'job failed'))
        .finally(() => {
          this.running--;
          if (job.key) this.activeKeys.delete(job.key);
          this.drain();
        });
    }
  }
}

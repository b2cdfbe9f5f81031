export type JobHandler = (payload: Record<string, unknown>, context: JobContext) => Promise<void>;

export interface JobContext {
  /** Aborted when the process shuts down: stop at the next checkpoint and throw, so the job is retried elsewhere. */
  signal: AbortSignal;
}

export interface EnqueueOptions {
  /** Jobs of one name and key never run at the same time; a job already waiting under the key absorbs this one. */
  key?: string;
  /** Run no sooner than this many milliseconds from now. */
  delayMs?: number;
}

/**
 * Every piece of background work goes through this interface. Two backends: `embedded`
 * (in-process, any database) and `pg-boss` (PostgreSQL, shared by any number of worker processes).
 */
export interface Jobs {
  readonly backend: 'embedded' | 'pg-boss';
  register(name: string, handler: JobHandler): void;
  /** Stored before it resolves (pg-boss) or queued in memory (embedded). */
  enqueue(name: string, payload?: Record<string, unknown>, options?: EnqueueOptions): Promise<void>;
  /** Many jobs of one name in one go (the poll scheduler queues hundreds a second). */
  enqueueMany(name: string, jobs: { payload: Record<string, unknown>; key?: string }[]): Promise<void>;
  /** A task this process repeats while it works jobs; never overlaps itself. */
  every(name: string, intervalMs: number, task: () => Promise<void>): void;
  /** Begins taking jobs (a pure API process of a pg-boss deployment never calls it). */
  start(): Promise<void>;
  /** Resolves once nothing is queued or running (tests). */
  idle(timeoutMs?: number): Promise<void>;
  /** Stops taking jobs and lets running ones finish or hand back their work. */
  stop(): Promise<void>;
}

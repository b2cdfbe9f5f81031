import type { ZodType } from 'zod';

export type JobHandler<P = Record<string, unknown>> = (payload: P, context: JobContext) => Promise<void>;

/** What a job is, declared where it is registered; both backends read it from there. */
export interface JobDefinition<P = Record<string, unknown>> {
  /** `import`: long work, with slots of its own so it never holds every slot live sync needs. */
  lane: 'import' | 'live';
  /** Retries after a failed attempt (pg-boss; default 5). Embedded jobs re-queue themselves instead. */
  retryLimit?: number;
  /** The payload's shape, checked before the handler runs: a job with another one fails at once. */
  payload?: ZodType<P>;
}

export const LIVE_JOB: JobDefinition = { lane: 'live' };

/** The handler a backend runs: the payload checked against the definition first. */
export function checkedHandler<P>(name: string, handler: JobHandler<P>, definition: JobDefinition<P>): JobHandler {
  return (payload, context) => {
    if (!definition.payload) return handler(payload as P, context);
    const parsed = definition.payload.safeParse(payload);
    if (!parsed.success) {
      const why = parsed.error.issues[0]?.message ?? 'invalid';
      throw new Error(`job ${name}: payload ${JSON.stringify(payload).slice(0, 200)} is not what it takes (${why})`);
    }
    return handler(parsed.data, context);
  };
}

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
  /** Registers a job's handler with its definition (lane, retries, payload); a live job by default. */
  register<P = Record<string, unknown>>(name: string, handler: JobHandler<P>, definition?: JobDefinition<P>): void;
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

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Queue depth per job type, wait and run time, failures; and how far behind each connection's events are. */
export function createJobMetrics(registry?: Registry) {
  const registers = registry ? [registry] : [];
  const wait = new Histogram({
    name: 'pi_job_wait_seconds',
    help: 'Time from enqueue to start, by job type',
    labelNames: ['job'] as const,
    buckets: [0.01, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers,
  });
  const run = new Histogram({
    name: 'pi_job_run_seconds',
    help: 'Job run time, by job type',
    labelNames: ['job'] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600],
    registers,
  });
  const outcomes = new Counter({
    name: 'pi_jobs_total',
    help: 'Finished jobs by type and outcome (completed, failed, dead)',
    labelNames: ['job', 'outcome'] as const,
    registers,
  });
  return {
    depth: new Gauge({ name: 'pi_job_queue_depth', help: 'Jobs waiting, by job type', labelNames: ['job'] as const, registers }),
    outcomes,
    eventLag: new Histogram({
      name: 'pi_event_lag_seconds',
      help: 'Per connection: event creation at Stripe to stored here',
      buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 900],
      registers,
    }),
    /** Call when a job starts; call what it returns when it ends. */
    started(job: string, queuedAt: number) {
      const start = Date.now();
      wait.observe({ job }, (start - queuedAt) / 1000);
      return (outcome: 'completed' | 'failed' | 'dead') => {
        run.observe({ job }, (Date.now() - start) / 1000);
        outcomes.inc({ job, outcome });
      };
    },
  };
}

export type JobMetrics = ReturnType<typeof createJobMetrics>;

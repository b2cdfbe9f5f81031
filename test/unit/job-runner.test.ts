import { describe, expect, it } from 'vitest';
import { JobRunner } from '../../server/jobs/job-runner.js';
import { capturedLogger } from '../support/log-capture.js';

describe('JobRunner', () => {
  it('runs a keyed job again when asked while it runs, never two at once', async () => {
    const jobs = new JobRunner(capturedLogger().logger);
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    jobs.register('work', async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      runs++;
      if (runs === 1) await gate;
      running--;
    });
    jobs.enqueue('work', {}, { key: 'acct' });
    await new Promise((r) => setTimeout(r, 10));
    jobs.enqueue('work', {}, { key: 'acct' }); // asked while the first runs: must run after it
    jobs.enqueue('work', {}, { key: 'acct' }); // absorbed by the queued one
    release();
    await jobs.idle();
    expect(runs).toBe(2);
    expect(maxRunning).toBe(1);
  });
});

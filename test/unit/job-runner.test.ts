import { z } from 'zod';
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

  it('keeps live sync moving while imports fill every import slot', async () => {
    const jobs = new JobRunner(capturedLogger().logger, 2);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const order: string[] = [];
    jobs.register(
      'import.start',
      async (p) => {
        order.push(`import ${String(p.n)}`);
        await gate;
      },
      { lane: 'import' },
    );
    jobs.register('events.poll', async () => {
      order.push('poll');
    });
    for (let n = 0; n < 5; n++) await jobs.enqueue('import.start', { n }, { key: `conn_${n}` });
    await jobs.enqueue('events.poll', {}, { key: 'conn_0' });
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual(['import 0', 'import 1', 'poll']);
    release();
    await jobs.idle();
    expect(order).toHaveLength(6);
  });

  it('never runs two jobs of one family and key at once (an import and a ranged re-import)', async () => {
    const jobs = new JobRunner(capturedLogger().logger);
    let running = 0;
    let maxRunning = 0;
    const work = async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, 15));
      running--;
    };
    jobs.register('import.start', work);
    jobs.register('import.range', work);
    await jobs.enqueue('import.start', {}, { key: 'conn_1' });
    await jobs.enqueue('import.range', {}, { key: 'conn_1' });
    await jobs.idle();
    expect(maxRunning).toBe(1);
  });

  it('checks a payload against the shape its registration declared, before the handler runs', async () => {
    const { logger, output } = capturedLogger();
    const jobs = new JobRunner(logger);
    const seen: unknown[] = [];
    jobs.register('events.poll', async (p) => void seen.push(p.connectionId), {
      lane: 'live',
      payload: z.object({ connectionId: z.string() }),
    });
    await jobs.enqueue('events.poll', { connectionId: 42 });
    await jobs.enqueue('events.poll', { connectionId: 'conn_1', extra: true });
    await jobs.idle();
    expect(seen).toEqual(['conn_1']);
    expect(output()).toContain('is not what it takes');
  });
});

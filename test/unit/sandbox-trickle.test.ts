import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTrickle } from '../../server/sandbox/trickle.js';
import type { Emulator } from '../../server/emulator/index.js';
import { control, createAccount, withEmulator } from '../support/emulator.js';

describe('sandbox trickle', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await withEmulator();
  });
  afterAll(() => emulator.close());

  it('keeps the demo merchant taking payments, with refunds and one dispute', async () => {
    const account = await createAccount(emulator, { name: 'Demo' });
    const errors: unknown[] = [];
    const stop = startTrickle(emulator.controlUrl, account.id, { everyMs: 20, onError: (e) => errors.push(e) });
    const truth = () => control<Record<string, unknown[]>>(emulator, 'GET', `/truth?account=${account.id}&mode=test`);
    await expect.poll(async () => (await truth()).dispute!.length, { timeout: 10_000 }).toBe(1);
    stop();
    const seen = await truth();
    expect(seen.charge!.length).toBeGreaterThanOrEqual(10);
    expect(seen.refund!.length).toBeGreaterThanOrEqual(2);
    expect(errors).toEqual([]);
  });
});

import { execFile, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../server/emulator/index.js';
import { control, createAccount } from '../support/emulator.js';

const BIN = resolve(import.meta.dirname, '../../bin/pi-stripe.js');

describe('emulator data generator', () => {
  it('is deterministic for a seed and reports ground truth', async () => {
    const runOnce = async () => {
      const emulator = await startEmulator({ seed: 7 });
      try {
        const account = await createAccount(emulator);
        const counts = await control<Record<string, number>>(emulator, 'POST', '/generate', {
          account: account.id,
          payments: 150,
          days: 30,
        });
        const truth = await control<Record<string, { id: string; amount?: number }[]>>(
          emulator,
          'GET',
          `/truth?account=${account.id}&mode=test`,
        );
        return { counts, truth, account: account.id };
      } finally {
        await emulator.close();
      }
    };
    const [a, b] = [await runOnce(), await runOnce()];
    expect(a.account).toBe(b.account);
    expect(a.counts).toEqual(b.counts);
    expect(a.truth.charge!.map((c) => [c.id, c.amount])).toEqual(b.truth.charge!.map((c) => [c.id, c.amount]));
    expect(a.counts.charge).toBe(150);
    expect(a.truth.refund!.length).toBeGreaterThan(0);
    expect(a.truth.payout!.length).toBeGreaterThan(20);
  });
});

describe('pi-stripe emulator', () => {
  it('starts on a port with demo data and prints the keys and control API URL', async () => {
    const child = spawn(process.execPath, [BIN, 'emulator', '--seed', '1000', '--port', '0', '--json'], {
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test' },
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    try {
      const summary = await new Promise<Record<string, unknown>>((ok, fail) => {
        const timer = setTimeout(() => fail(new Error(`no output in 20 s: ${stdout}`)), 20_000);
        child.stdout.on('data', () => {
          try {
            const parsed = JSON.parse(stdout) as Record<string, unknown>;
            clearTimeout(timer);
            ok(parsed);
          } catch {
            // not complete yet
          }
        });
      });
      expect(summary).toMatchObject({ counts: { charge: 1000 } });
      expect(String(summary.control_api)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/_emulator$/);
      const keys = (summary.platformKeys as { test: string }).test;
      expect(keys).toMatch(/^sk_test_/);
      const res = await fetch(`${String(summary.api_base)}/v1/charges?limit=3`, {
        headers: { Authorization: `Bearer ${keys}`, 'Stripe-Account': (summary.account as { id: string }).id },
      });
      expect(((await res.json()) as { data: unknown[] }).data).toHaveLength(3);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await new Promise((r) => child.on('exit', r))).toBe(0);
  });

  it('refuses a bad port with a one-line reason', async () => {
    const run = promisify(execFile);
    const err = await run(process.execPath, [BIN, 'emulator', '--port', 'abc'], { env: { PATH: process.env.PATH ?? '' } }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 1, stderr: 'pi-stripe emulator: --port must be a port number, got "abc"\n' });
  });
});

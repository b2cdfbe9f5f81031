import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { control } from '../support/emulator.js';
import { DIALECTS } from '../support/databases.js';
import { startStack, type Stack } from '../support/stack.js';
import { processEnv, until } from '../support/workers.js';
import { compareWithTruth, seededAccount } from '../backfill/support.js';

const BIN = resolve(import.meta.dirname, '../../bin/pi-stripe.js');
const ENCRYPTION_KEYS = randomBytes(32).toString('base64');

/**
 * `pi-stripe connect` runs the import in its own process. Killed part way, it leaves an import
 * that nobody owns: the running server takes it over once the CLI's lease lapses (about one
 * lease time), not only at its next start, and every id arrives exactly once.
 */
describe.each(DIALECTS)('an import left by a killed CLI on %s', (dialect) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(dialect, { ENCRYPTION_KEYS, JOB_LEASE_SECONDS: '5' });
    await stack.services.startBackground();
  });
  afterAll(() => stack.close());

  it('is taken over by the running server and completes', async () => {
    const account = await seededAccount(stack, 2500);
    await control(stack.emulator, 'POST', '/settings', { latencyMs: 15 });
    const env = {
      ...process.env,
      ...processEnv(stack.url, stack.database.url, {
        STRIPE_API_BASE: stack.emulator.url,
        ENCRYPTION_KEYS,
        JOB_LEASE_SECONDS: '5',
        LOG_LEVEL: 'warn',
      }),
    };
    const child = spawn(process.execPath, [BIN, 'connect', '--name', 'Killed Midway', '--api-key', account.keys.test], {
      env,
      stdio: 'ignore',
    });
    const exited = new Promise((r) => child.once('exit', r));
    const db = stack.database.db;
    try {
      await until(
        'the CLI import to be under way',
        async () => Number((await db('backfill_runs').sum({ n: 'objects' }))[0]!.n ?? 0),
        (n) => n > 300,
        60_000,
      );
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    await control(stack.emulator, 'POST', '/settings', { latencyMs: 0 });
    const id = String((await db('connections').where({ account_id: account.id }).first('id')).id);
    expect((await db('connections').where({ id }).first('state')).state).toBe('backfilling');

    await until(
      'the server to take the import over and finish it',
      async () => (await db('connections').where({ id }).first('state')).state,
      (s) => s === 'live',
      90_000,
    );
    expect(stack.logs()).toContain('imports nobody owned taken over');
    for (const [table, r] of Object.entries(await compareWithTruth(stack, account.id))) {
      expect({ table, missing: r.missing.length, duplicates: r.duplicates }).toEqual({ table, missing: 0, duplicates: 0 });
    }
  }, 180_000);
});

import { migrations } from '../../server/db/migrations/index.js';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '../../bin/pi-stripe.js');
const dir = mkdtempSync(join(tmpdir(), 'pi-cli-'));
const baseEnv = {
  PATH: process.env.PATH ?? '',
  NODE_ENV: 'test',
  DATABASE_URL: `sqlite:${join(dir, 'cli.sqlite')}`,
  ENCRYPTION_KEYS: Buffer.alloc(32, 7).toString('base64'),
  SUPPORT_TOKENS: 'support-token-for-tests-0123456789',
};

async function cli(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...baseEnv, ...env }, cwd: dir });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pi-stripe CLI', () => {
  it('refuses status on an unmigrated database with a one-line reason', async () => {
    const res = await cli(['status']);
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n')).toEqual([
      `pi-stripe status: database has ${migrations.length} pending migration(s); run: pi-stripe migrate`,
    ]);
  });

  it('migrates, then reports status as JSON', async () => {
    const migrated = await cli(['migrate', '--json']);
    expect(migrated.code).toBe(0);
    expect(JSON.parse(migrated.stdout).applied).toHaveLength(migrations.length);
    expect(JSON.parse((await cli(['migrate', '--json'])).stdout)).toEqual({ applied: [] });

    const status = await cli(['status', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual({ sandbox: true, total: 0, connections: [] });
    expect((await cli(['status'])).stdout.trim()).toBe('No connections yet.');
    const missing = await cli(['status', '--connection', 'conn_nope', '--json']);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toEqual({ error: 'no connection with id conn_nope' });
  });

  it('exits non-zero on an unknown command or option', async () => {
    expect(await cli(['frobnicate'])).toMatchObject({
      code: 2,
      stderr: 'pi-stripe: unknown command "frobnicate" (try: pi-stripe --help)\n',
    });
    const bad = await cli(['status', '--bogus']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^pi-stripe status: error: Unknown option '--bogus'/);
  });

  it('stops on bad configuration, naming each variable and printing no secret', async () => {
    const res = await cli(['status'], { PORT: 'abc', ENCRYPTION_KEYS: 'short', STRIPE_SECRET_KEY_TEST: 'sk_live_secretvalue' });
    expect(res.code).toBe(78);
    expect(res.stderr).toContain('PORT:');
    expect(res.stderr).toContain('ENCRYPTION_KEYS:');
    expect(res.stderr).toContain('STRIPE_SECRET_KEY_TEST:');
    expect(res.stderr).not.toContain('secretvalue');
  });
});

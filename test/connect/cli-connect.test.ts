import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../server/emulator/index.js';
import { control, createAccount, withEmulator, type DemoAccount } from '../support/emulator.js';

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '../../bin/pi-stripe.js');
/** `--json` prints JSON lines: progress, then the result last. */
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;

describe('pi-stripe connect and status', () => {
  let emulator: Emulator;
  let merchant: DemoAccount;
  const dir = mkdtempSync(join(tmpdir(), 'pi-cli-connect-'));
  let env: Record<string, string>;

  async function cli(...args: string[]) {
    try {
      const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env, cwd: dir });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  beforeAll(async () => {
    emulator = await withEmulator();
    merchant = await createAccount(emulator, { name: 'CLI Coffee' });
    env = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      DATABASE_URL: `sqlite:${join(dir, 'cli.sqlite')}`,
      STRIPE_API_BASE: emulator.url,
      ENCRYPTION_KEYS: Buffer.alloc(32, 3).toString('base64'),
      SUPPORT_TOKENS: 'support-token-for-tests-0123456789',
    };
    expect((await cli('migrate')).code).toBe(0);
  });
  afterAll(async () => {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects with a full key, warning about it, and shows the connection in status', async () => {
    const res = await cli('connect', '--name', 'CLI Coffee', '--api-key', merchant.keys.test, '--merchant', 'cli-1');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`^importing: \\d+ objects so far; \\d of 7 resources done$`, 'm'));
    expect(res.stdout).toMatch(new RegExp(`^Connected CLI Coffee \\(${merchant.id}, test mode\\) as conn_\\S+: live\\.`, 'm'));
    expect(res.stdout).toContain('Warning: A full secret key can change your Stripe account');
    expect(res.stdout + res.stderr).not.toContain(merchant.keys.test);

    const status = JSON.parse((await cli('status', '--json')).stdout) as {
      connections: { id: string; state: string; merchant_id: string }[];
    };
    expect(status.connections).toHaveLength(1);
    expect(status.connections[0]).toMatchObject({ state: 'live', merchant_id: 'cli-1' });
    const detail = await cli('status', '--connection', status.connections[0]!.id);
    expect(detail.stdout).toContain('state:        live');
    expect(detail.stdout).toContain('connecting → backfilling');
  });

  it('backfills again from a date with JSON progress lines, and refuses a bad date', async () => {
    const shop = await createAccount(emulator, { name: 'History' });
    await control(emulator, 'POST', '/generate', { account: shop.id, payments: 120, days: 30 });
    const connecting = (await cli('connect', '--name', 'History', '--api-key', shop.keys.test, '--json')).stdout;
    // connect shows the import's progress, as backfill does, and ends with the result.
    const progress = connecting
      .trim()
      .split('\n')
      .slice(0, -1)
      .map((l) => JSON.parse(l) as { type: string; resource: string; objects: number });
    expect(progress.some((l) => l.type === 'progress' && l.resource === 'charges' && l.objects === 120)).toBe(true);
    const connected = lastJson(connecting) as { connection: { id: string } };
    const res = await cli('backfill', '--connection', connected.connection.id, '--since', '2000-01-01', '--json');
    expect(res.code).toBe(0);
    const lines = res.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; resource?: string; objects?: number; state?: string });
    expect(lines.filter((l) => l.type === 'progress').length).toBeGreaterThan(5);
    const result = lines.at(-1)!;
    expect(result).toMatchObject({ type: 'result', state: 'live' });
    expect(lines.some((l) => l.type === 'progress' && l.resource === 'charges' && l.objects === 120)).toBe(true);
    expect(await cli('backfill', '--connection', connected.connection.id, '--since', 'yesterday')).toMatchObject({
      code: 1,
      stderr: 'pi-stripe backfill: --since must be a date like 2026-01-31, got "yesterday"\n',
    });
  });

  it('runs reports on request and waits for them', async () => {
    const status = JSON.parse((await cli('status', '--json')).stdout) as { connections: { id: string; name: string }[] };
    const id = status.connections.find((c) => c.name === 'History')!.id;
    const res = await cli('reports', 'run', '--connection', id, '--type', 'payouts.itemized');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^payouts\.itemized\.3 +downloaded \(\d+ rows\)$/m);
    expect(await cli('reports', 'run', '--connection', id, '--type', 'payouts')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('pi-stripe reports: --type must be one of: balance.summary,'),
    });
  });

  it('reports missing permissions for a restricted key', async () => {
    const shop = await createAccount(emulator, { name: 'Narrow' });
    const { key } = await control<{ key: string }>(emulator, 'POST', '/keys', {
      account: shop.id,
      mode: 'test',
      permissions: ['connected_account_read', 'charge_read', 'payment_intent_read'],
    });
    const res = await cli('connect', '--name', 'Narrow', '--api-key', key, '--json');
    expect(res.code).toBe(0);
    const body = lastJson(res.stdout) as { connection: { state: string; missing_permissions: string[] } };
    expect(body.connection.state).toBe('permission_missing');
    expect(body.connection.missing_permissions).toEqual(
      expect.arrayContaining(['dispute_read', 'payout_read', 'balance_read', 'event_read']),
    );
  });

  it.each([
    [
      ['--name', 'X', '--api-key', 'sk_test_neverIssued00000000000000'],
      'pi-stripe connect: Stripe rejected this API key: it is revoked, expired or mistyped.',
    ],
    [
      ['--name', 'X', '--api-key', 'pk_test_abcdefghijkl'],
      'pi-stripe connect: This is a publishable key (pk_…); it cannot read payments. Use a restricted key (rk_…).',
    ],
    [['--api-key', 'rk_test_abcdefghijkl'], 'pi-stripe connect: --name is required'],
    [
      ['--name', 'X', '--api-key', 'rk_test_abcdefghijkl', '--webhook-secret', 'nope'],
      'pi-stripe connect: --webhook-secret: must look like whsec_…',
    ],
  ])('exits 1 with a one-line reason for %j', async (args, message) => {
    const res = await cli('connect', ...args);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`${message}\n`);
  });
});

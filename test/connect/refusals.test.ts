import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionDetail, ConnectionStatus } from '../../shared/contracts/connection-status.js';
import { control, createAccount } from '../support/emulator.js';
import { DIALECTS } from '../support/databases.js';
import { startStack, type Stack } from '../support/stack.js';
import { processEnv } from '../support/workers.js';

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '../../bin/pi-stripe.js');

/** Actions a connection's state does not allow answer 409 with a sentence; nothing changes in silence. */
describe.each(DIALECTS)('refused actions on %s', (dialect) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(dialect);
  });
  afterAll(() => stack.close());

  const detail = async (id: string) => (await (await stack.support(`/connections/${id}`)).json()) as ConnectionDetail;
  const add = (body: Record<string, unknown>) => stack.support('/connections', { method: 'POST', body: JSON.stringify(body) });

  it('refuses a second "Add a connection" for a connected account, pointing to "Replace API key"', async () => {
    const merchant = await createAccount(stack.emulator, { name: 'Only Once' });
    const { connection } = (await (await add({ name: 'Only Once', api_key: merchant.keys.test })).json()) as {
      connection: ConnectionStatus;
    };
    await stack.services.jobs.idle();
    const before = await detail(connection.id);
    const second = (await control<{ key: string }>(stack.emulator, 'POST', '/keys', { account: merchant.id, mode: 'test' })).key;

    const refused = await add({ name: 'Renamed By Mistake', api_key: second });
    expect(refused.status).toBe(409);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('conflict');
    expect(body.error.message).toContain(`already connected as "Only Once" (${connection.id})`);
    expect(body.error.message).toContain('"Replace API key"');
    const after = await detail(connection.id);
    expect({ name: after.name, state: after.state, history: after.history.length }).toEqual({
      name: 'Only Once',
      state: 'live',
      history: before.history.length,
    });

    // Replacing the key is the way, and the timeline says so.
    const replaced = await stack.support(`/connections/${connection.id}/api-key`, {
      method: 'PUT',
      body: JSON.stringify({ api_key: second }),
    });
    expect(replaced.status).toBe(200);
    await stack.services.jobs.idle();
    expect((await detail(connection.id)).history.map((h) => h.reason)).toContain('API key replaced by support; the import resumes with it');

    // Disconnected, the account may be added again: the reconnect and the rename are in the timeline.
    expect((await stack.support(`/connections/${connection.id}/disconnect`, { method: 'POST', body: '{}' })).status).toBe(200);
    const third = (await control<{ key: string }>(stack.emulator, 'POST', '/keys', { account: merchant.id, mode: 'test' })).key;
    const again = await add({ name: 'Only Once Again', api_key: third });
    expect(again.status).toBe(201);
    await stack.services.jobs.idle();
    const reasons = (await detail(connection.id)).history.map((h) => h.reason);
    expect(reasons).toContain('renamed from "Only Once" to "Only Once Again"');
    expect(reasons).toContain('reconnected with a new API key after a disconnect; the import resumes');
  });

  it('answers 409 with a sentence for a report rerun on a disconnected connection, in the API and the CLI', async () => {
    const merchant = await createAccount(stack.emulator, { name: 'Gone Shop' });
    const { connection } = (await (await add({ name: 'Gone Shop', api_key: merchant.keys.test })).json()) as {
      connection: ConnectionStatus;
    };
    await stack.services.jobs.idle();
    await stack.support(`/connections/${connection.id}/disconnect`, { method: 'POST', body: '{}' });

    const res = await stack.support(`/connections/${connection.id}/reports/run`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(409);
    const sentence = 'Reports cannot run: the connection is disconnected and its credentials were deleted. Reconnect it first.';
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(sentence);

    const env = {
      ...process.env,
      ...processEnv(stack.url, stack.database.url, { STRIPE_API_BASE: stack.emulator.url, LOG_LEVEL: 'warn' }),
    };
    const cli = await run(process.execPath, [BIN, 'reports', 'run', '--connection', connection.id], { env }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
    );
    expect(cli.code).toBe(1);
    expect(cli.stderr.trim()).toBe(`pi-stripe reports: error: ${sentence}`);
  }, 30_000);
});

import { execFile, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxPortError, startSandboxStripe } from '../../server/sandbox/emulator.js';
import { startEmulator, type Emulator } from '../../server/emulator/index.js';
import { overview } from '../support/emulator.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = resolve(ROOT, 'bin/pi-stripe.js');
const run = promisify(execFile);

/** A port something else holds: one line naming the port and what to do, never a stack trace. */
describe('ports in use', () => {
  let other: Server;
  let otherPort: number;
  let emulator: Emulator;
  let emulatorPort: number;

  beforeAll(async () => {
    other = createServer((_req, res) => res.end('not stripe'));
    await new Promise<void>((ok) => other.listen(0, '127.0.0.1', ok));
    otherPort = (other.address() as AddressInfo).port;
    emulator = await startEmulator({ port: 0 });
    emulatorPort = Number(new URL(emulator.url).port);
  });
  afterAll(async () => {
    await new Promise((ok) => other.close(ok));
    await emulator.close();
  });

  const cli = (...args: string[]) =>
    run(process.execPath, [BIN, ...args], { env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn' } }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
    );

  it('pi-stripe emulator on a port another program holds, or another emulator', async () => {
    expect(await cli('emulator', '--port', String(otherPort))).toEqual({
      code: 1,
      stderr: `pi-stripe emulator: port ${otherPort} is in use by another program: stop it, or pass --port with a free port\n`,
    });
    expect(await cli('emulator', '--port', String(emulatorPort))).toEqual({
      code: 1,
      stderr:
        `pi-stripe emulator: an emulator already listens on port ${emulatorPort} (http://127.0.0.1:${emulatorPort}): ` +
        'use that one, or pass --port to start another\n',
    });
  }, 30_000);

  it('the server on a port in use (a second npm start) says so in one line', async () => {
    const child = spawn(
      process.execPath,
      ['--import', pathToFileURL(resolve(ROOT, 'node_modules/tsx/dist/loader.mjs')).href, resolve(ROOT, 'server/main.ts')],
      {
        env: {
          PATH: process.env.PATH ?? '',
          PORT: String(otherPort),
          STRIPE_API_BASE: 'http://127.0.0.1:9',
          DATABASE_URL: 'sqlite::memory:',
          LOG_LEVEL: 'warn',
        },
      },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const code = await new Promise<number | null>((ok) => child.once('exit', ok));
    expect(code).toBe(1);
    expect(stderr).toBe(
      `pi-stripe: port ${otherPort} is already in use (another npm start?): stop that process, or set PORT to a free port\n`,
    );
  }, 30_000);

  it('sandbox mode reuses an emulator already on its port, with its keys, and refuses a port held by anything else', async () => {
    const reused = await startSandboxStripe('http://localhost:4321', emulator.url);
    const { app } = await overview(emulator);
    expect(reused.env).toMatchObject({
      STRIPE_API_BASE: emulator.url,
      STRIPE_APP_CLIENT_ID_TEST: app.clientIds.test,
      STRIPE_SECRET_KEY_TEST: expect.stringMatching(/^sk_test_/),
    });
    expect(reused.lines.join('\n')).toContain(`using the one already on ${emulator.url}`);
    expect(app.redirectUris).toContain('http://localhost:4321/oauth/callback');
    await expect(startSandboxStripe('http://localhost:4321', `http://127.0.0.1:${otherPort}`)).rejects.toThrow(SandboxPortError);
    await expect(startSandboxStripe('http://localhost:4321', `http://127.0.0.1:${otherPort}`)).rejects.toThrow(
      `port ${otherPort} (the sandbox's Stripe emulator) is in use by another program`,
    );
  }, 30_000);
});

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createServices, type ServiceOptions, type Services } from '../../server/services.js';
import { parseConfig, type Config } from '../../server/config.js';
import type { Emulator } from '../../server/emulator/index.js';
import { createTestDatabase, type TestDatabase } from './databases.js';
import { withEmulator } from './emulator.js';
import { capturedLogger } from './log-capture.js';

const CLI = fileURLToPath(new URL('../../server/cli/main.ts', import.meta.url));
const SERVER = fileURLToPath(new URL('../../server/main.ts', import.meta.url));

export interface Worker {
  pid: number;
  process: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * A pg-boss deployment for tests: PostgreSQL, the emulator, an API-side `Services` that only
 * queues (as an API process with RUN_JOBS=0 does), and real `pi-stripe worker` processes.
 */
export interface Cluster {
  env: Record<string, string>;
  config: Config;
  database: TestDatabase;
  emulator: Emulator;
  services: Services;
  workers: Worker[];
  startWorker(): Promise<Worker>;
  close(): Promise<void>;
}

/**
 * The environment of a server or worker process under test: its own URL and database, fresh test
 * secrets, never the suite's PostgreSQL admin URL; `extra` adds or overrides.
 */
export function processEnv(url: string, databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    PORT: new URL(url).port,
    PUBLIC_URL: url,
    DATABASE_URL: databaseUrl,
    ENCRYPTION_KEYS: randomBytes(32).toString('base64'),
    SUPPORT_TOKENS: 'support-token-for-tests-0123456789',
    LOG_LEVEL: 'info',
    PI_TEST_POSTGRES_URL: '',
    ...extra,
  };
}

/** Children still running when the test process exits (a failed hook, a timeout) die with it. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/**
 * Starts one of our processes as production does (`pi-stripe <args>`, or the server for
 * `['server']`) and resolves once its output shows `ready` (or `ready.url` answers 2xx); fails
 * with its output otherwise.
 */
export async function spawnProcess(args: string[], env: Record<string, string>, ready: string | { url: string }): Promise<Worker> {
  const script = args[0] === 'server' ? [SERVER] : [CLI, ...args];
  const child = spawn(process.execPath, ['--import', 'tsx', ...script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  children.add(child);
  const exited = new Promise<number | null>((r) =>
    child.once('exit', (code) => {
      children.delete(child);
      r(code);
    }),
  );
  const started = Date.now();
  const up = async () => (typeof ready === 'string' ? output.includes(ready) : (await fetch(ready.url).catch(() => null))?.ok === true);
  while (!(await up())) {
    if (child.exitCode !== null || Date.now() - started > 30_000) {
      child.kill('SIGKILL');
      throw new Error(`${args.join(' ')} did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { pid: child.pid!, process: child, output: () => output, exited };
}

export async function startCluster(env: Record<string, string> = {}, options: ServiceOptions = {}): Promise<Cluster> {
  const emulator = await withEmulator();
  const database = await createTestDatabase('postgres');
  const fullEnv: Record<string, string> = {
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    JOB_BACKEND: 'pg-boss',
    STRIPE_API_BASE: emulator.url,
    ENCRYPTION_KEYS: randomBytes(32).toString('base64'),
    SUPPORT_TOKENS: 'support-token-for-tests-0123456789',
    LOG_LEVEL: 'info',
    JOB_LEASE_SECONDS: '6',
    RUN_JOBS: '0',
    ...env,
  };
  const config = parseConfig(fullEnv);
  const services = createServices(config, database.db, capturedLogger('warn').logger, options);
  const workers: Worker[] = [];
  const startWorker = async () => {
    const worker = await spawnProcess(['worker'], { ...fullEnv, PI_TEST_POSTGRES_URL: '' }, 'started');
    workers.push(worker);
    return worker;
  };
  return {
    env: fullEnv,
    config,
    database,
    emulator,
    services,
    workers,
    startWorker,
    async close() {
      for (const w of workers) if (w.process.exitCode === null) w.process.kill('SIGTERM');
      await Promise.all(workers.map((w) => w.exited));
      await services.jobs.stop();
      await emulator.close();
      await database.drop();
    },
  };
}

/** Waits until `check` holds, or fails with what it last saw. */
export async function until<T>(what: string, probe: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await probe();
    if (check(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

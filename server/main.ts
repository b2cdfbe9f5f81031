import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { loadConfigOrExit, startupProblem } from './bootstrap.js';
import { createDb, migrateLatest, type Db } from './db/database.js';
import { createLogger } from './logging/logger.js';
import { sandboxBanner } from './sandbox/banner.js';
import { SandboxPortError, startSandboxStripe, type SandboxStripe } from './sandbox/emulator.js';
import { createServices, type Services } from './services.js';

/** Ends the process with one line: what went wrong and, where known, what to do (bootstrap.ts). */
function exitWith(line: string): never {
  process.stderr.write(`pi-stripe: ${line}\n`);
  process.exit(1);
}

const initial = loadConfigOrExit();
// Sandbox mode with no Stripe configured: start the bundled emulator and point the config at it.
const sandboxStripe: SandboxStripe | null =
  initial.sandbox && !process.env.STRIPE_API_BASE
    ? await startSandboxStripe(initial.publicUrl).catch((err: unknown) =>
        exitWith(err instanceof SandboxPortError ? err.message : startupProblem(err)),
      )
    : null;
// Re-reading finds the sandbox secrets the first read generated; keep saying they were created.
const config = sandboxStripe ? { ...loadConfigOrExit({ ...process.env, ...sandboxStripe.env }), generated: initial.generated } : initial;
const logger = createLogger({ level: config.logLevel });

let db: Db;
let services: Services;
try {
  db = createDb(config.databaseUrl);
  const applied = await migrateLatest(db);
  if (applied.length) logger.info({ applied }, 'database migrated');
  services = createServices(config, db, logger);
  const keys = await services.secrets.keysProblem();
  if (keys) exitWith(keys);
} catch (err) {
  exitWith(startupProblem(err));
}
const app = createApp({ config, db, logger, services });
// Take the port first: a second `npm start` (or anything else on it) gets one line, not a stack
// trace, and starts no background work beside the first.
const server = createServer(app);
await new Promise<void>((ok) => {
  server.once('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE')
      exitWith(`port ${config.port} is already in use (another npm start?): stop that process, or set PORT to a free port`);
    if (err.code === 'EACCES') exitWith(`port ${config.port} needs privileges this process does not have: set PORT to 1024 or above`);
    exitWith(startupProblem(err));
  });
  server.listen(config.port, ok);
});
// With pg-boss the API process may leave all work to `pi-stripe worker` processes (RUN_JOBS=0).
if (config.runJobs) await services.startBackground().catch((err: unknown) => exitWith(startupProblem(err)));
const { port } = server.address() as AddressInfo;
logger.info({ port, sandbox: config.sandbox }, 'listening');
if (config.sandbox) process.stdout.write(sandboxBanner(config, port, sandboxStripe?.lines ?? []));

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  // Stop accepting, let in-flight requests finish, then release the database.
  const force = setTimeout(() => {
    logger.warn('in-flight requests did not finish in 10 s; exiting');
    process.exit(1);
  }, 10_000);
  force.unref();
  server.close(async () => {
    await services.jobs.stop();
    await sandboxStripe?.close();
    await db.destroy();
    process.exit(0);
  });
  server.closeIdleConnections();
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

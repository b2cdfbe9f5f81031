import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { createDb, pendingMigrations } from '../../db/database.js';
import { createLogger } from '../../logging/logger.js';
import { createServices } from '../../services.js';
import { CliError, type Command } from '../command.js';

/**
 * A process that only works jobs: any number of them, on any number of machines, share the queue
 * in PostgreSQL. SIGTERM (or SIGINT) stops taking jobs; running ones hand their work back.
 */
export const workerCommand: Command = {
  name: 'worker',
  usage: 'worker [--metrics-port P]',
  summary: 'work background jobs (JOB_BACKEND=pg-boss) until SIGTERM',
  async run({ config, args, out, json }) {
    const { values } = parseArgs({ args, strict: true, options: { 'metrics-port': { type: 'string' } } });
    const metricsPort = values['metrics-port'] === undefined ? null : Number(values['metrics-port']);
    if (metricsPort !== null && !(Number.isInteger(metricsPort) && metricsPort >= 0 && metricsPort < 65536))
      throw new CliError('--metrics-port must be a port number');
    if (config.jobBackend !== 'pg-boss') {
      throw new CliError('workers share jobs through PostgreSQL: set JOB_BACKEND=pg-boss and DATABASE_URL=postgres://…');
    }
    const db = createDb(config.databaseUrl);
    const pending = await pendingMigrations(db);
    if (pending.length) {
      await db.destroy();
      throw new CliError(`database has ${pending.length} pending migration(s); run: pi-stripe migrate`);
    }
    const logger = createLogger({ level: config.logLevel });
    const services = createServices(config, db, logger);
    await services.startBackground();
    // The worker's own job metrics (queue depth, latency, failures, event lag) for Prometheus.
    const metrics =
      metricsPort === null
        ? null
        : createServer((req, res) => {
            if (req.url !== '/metrics') return void res.writeHead(404).end();
            void services.registry
              .metrics()
              .then((text) => res.writeHead(200, { 'Content-Type': services.registry.contentType }).end(text));
          }).listen(metricsPort, '0.0.0.0');
    out(json ? JSON.stringify({ worker: 'started', pid: process.pid }) : `Worker ${process.pid} started; stop it with SIGTERM.`);
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    logger.info({ signal }, 'worker stopping');
    metrics?.close();
    await services.jobs.stop();
    await db.destroy();
    out(json ? JSON.stringify({ worker: 'stopped', pid: process.pid }) : `Worker ${process.pid} stopped.`);
  },
};

import type { Config } from '../config.js';
import { createDb, pendingMigrations, type Db } from '../db/database.js';
import { createLogger } from '../logging/logger.js';
import { createServices, type Services } from '../services.js';
import { CliError } from './command.js';

/** Runs a command body with a migrated database and the services, and always closes them. */
export async function withServices<T>(config: Config, fn: (ctx: { db: Db; services: Services }) => Promise<T>): Promise<T> {
  const db = createDb(config.databaseUrl);
  try {
    const pending = await pendingMigrations(db);
    if (pending.length) throw new CliError(`database has ${pending.length} pending migration(s); run: pi-stripe migrate`);
    // Commands print their own results on stdout; routine info logs would only drown them.
    const logger = createLogger({ level: config.logLevel === 'info' ? 'warn' : config.logLevel, destination: process.stderr });
    const services = createServices(config, db, logger);
    try {
      return await fn({ db, services });
    } finally {
      await services.jobs.stop();
    }
  } finally {
    await db.destroy();
  }
}

import knexFactory, { type Knex } from 'knex';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { migrationSource } from './migrations/index.js';

export type Db = Knex;
export type Dialect = 'sqlite' | 'postgres';

const SQLITE_BUSY_TIMEOUT_MS = 5000;

export function dialectOf(databaseUrl: string): Dialect {
  return databaseUrl.startsWith('sqlite:') ? 'sqlite' : 'postgres';
}

/**
 * The only module that knows which SQL engine is underneath. SQLite gets WAL (readers do not
 * block the writer), a busy timeout (a second connection waits instead of failing) and foreign
 * keys (off by default in SQLite); PostgreSQL gets a pool.
 */
export function createDb(databaseUrl: string): Db {
  if (dialectOf(databaseUrl) === 'sqlite') {
    const file = databaseUrl.slice('sqlite:'.length);
    const filename = file === ':memory:' ? ':memory:' : resolve(file);
    if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
    return knexFactory({
      client: 'sqlite3',
      connection: { filename },
      useNullAsDefault: true,
      pool: {
        min: 1,
        max: 1,
        afterCreate(conn: { run: (sql: string, cb: (err: Error | null) => void) => void }, done: (err: Error | null, conn: unknown) => void) {
          const pragmas = [
            'PRAGMA journal_mode = WAL',
            `PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`,
            'PRAGMA foreign_keys = ON',
            'PRAGMA synchronous = NORMAL',
          ];
          const next = (i: number): void => {
            if (i === pragmas.length) return done(null, conn);
            conn.run(pragmas[i]!, (err) => (err ? done(err, conn) : next(i + 1)));
          };
          next(0);
        },
      },
    });
  }
  return knexFactory({
    client: 'pg',
    connection: databaseUrl,
    pool: { min: 0, max: 10 },
  });
}

export async function migrateLatest(db: Db): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource })) as [number, string[]];
  return applied;
}

export async function rollbackAll(db: Db): Promise<string[]> {
  const [, undone] = (await db.migrate.rollback({ migrationSource }, true)) as [number, string[]];
  return undone;
}

export async function pendingMigrations(db: Db): Promise<string[]> {
  const [, pending] = (await db.migrate.list({ migrationSource })) as [unknown, { name: string }[]];
  return pending.map((m) => m.name);
}

export async function ping(db: Db): Promise<void> {
  await db.raw('select 1');
}

import knexFactory, { type Knex } from 'knex';
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createRequire } from 'node:module';
import pg from 'pg';
import { migrationSource } from './migrations/index.js';

export type Db = Knex;
export type Dialect = 'sqlite' | 'postgres';

const SQLITE_BUSY_TIMEOUT_MS = 10_000;

// knex's own SQLite client, with one change: transactions begin IMMEDIATE. A deferred one that
// reads, then writes, fails at once with SQLITE_BUSY (no busy wait) when another process (the CLI,
// a worker) committed in between; an immediate one takes the write lock first and waits its turn.
const require = createRequire(import.meta.url);
type KnexClass = new (...args: unknown[]) => { query: (conn: unknown, sql: string) => Promise<unknown> };
const SqliteClient = require('knex/lib/dialects/sqlite3/index.js') as KnexClass;
const SqliteTransaction = require('knex/lib/dialects/sqlite3/execution/sqlite-transaction.js') as KnexClass;
class ImmediateTransaction extends SqliteTransaction {
  begin(conn: unknown) {
    return this.query(conn, 'BEGIN IMMEDIATE;');
  }
}
class ImmediateSqliteClient extends SqliteClient {
  transaction(...args: unknown[]) {
    return new ImmediateTransaction(this, ...args);
  }
}

/** A database that cannot be used at all: the message says what and how to fix it, in one line. */
export class DatabaseUnusableError extends Error {}

/** The first 16 bytes of every SQLite 3 database file. */
const SQLITE_HEADER = 'SQLite format 3\u0000';
/** Kernel and device trees: their "files" are not files SQLite can lock or grow (one hangs, spinning). */
const NOT_FILES = ['/proc', '/sys', '/dev'];

/** Refuses, before SQLite sees it, a path that cannot hold a database file. */
function checkSqliteFile(filename: string): void {
  const say = (why: string) => new DatabaseUnusableError(`DATABASE_URL points at ${filename}, ${why}`);
  if (NOT_FILES.some((root) => filename === root || filename.startsWith(`${root}/`)))
    throw say('which is a system path, not a place for a database file');
  if (!existsSync(filename)) return;
  if (!statSync(filename).isFile()) throw say('which is not a regular file');
  const fd = openSync(filename, 'r');
  try {
    const header = Buffer.alloc(16);
    const read = readSync(fd, header, 0, 16, 0);
    if (read > 0 && header.toString('latin1', 0, read) !== SQLITE_HEADER.slice(0, read)) throw say('which is not a SQLite database');
  } finally {
    closeSync(fd);
  }
}

/** The engine under a Db (its client is knex's sqlite3 one, or our subclass of it, or pg). */
export function dialectOfDb(db: Db): Dialect {
  return (db.client as { dialect?: string }).dialect === 'postgresql' ? 'postgres' : 'sqlite';
}

function dialectOf(databaseUrl: string): Dialect {
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
    if (filename !== ':memory:') {
      checkSqliteFile(filename);
      try {
        mkdirSync(dirname(filename), { recursive: true });
      } catch (err) {
        const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        throw new DatabaseUnusableError(`DATABASE_URL points at ${filename}, whose folder cannot be created (${why})`);
      }
    }
    return knexFactory({
      client: ImmediateSqliteClient as unknown as typeof Knex.Client,
      connection: { filename },
      useNullAsDefault: true,
      pool: {
        min: 1,
        max: 1,
        afterCreate(
          conn: { run: (sql: string, cb: (err: Error | null) => void) => void },
          done: (err: Error | null, conn: unknown) => void,
        ) {
          const pragmas = [
            'PRAGMA journal_mode = WAL',
            `PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`,
            'PRAGMA foreign_keys = ON',
            // FULL: a commit (an acknowledged webhook) survives power loss; NORMAL in WAL mode may roll it back.
            'PRAGMA synchronous = FULL',
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
    connection: { connectionString: databaseUrl, types: pgTypes },
    pool: { min: 0, max: 10 },
    // A failed connect is thrown to the query that waited for it; knex would also print its stack.
    log: { warn: (message: string) => void (message.startsWith('Acquire connection error') || console.warn(message)) },
  });
}

const INT8_OID = 20;

/**
 * PostgreSQL hands bigint back as a string (it may exceed 2^53). Our bigints are money in minor
 * units and epoch times, far below that, so they read as numbers like on SQLite; a value that
 * would lose precision stays a string rather than being silently rounded.
 */
const pgTypes = {
  getTypeParser(oid: number, format?: string) {
    if (oid === INT8_OID) {
      return (value: string) => {
        const n = Number(value);
        return Number.isSafeInteger(n) ? n : value;
      };
    }
    return pg.types.getTypeParser(oid, format as never);
  },
};

export async function migrateLatest(db: Db): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource })) as [number, string[]];
  await enforceForeignKeys(db);
  return applied;
}

export async function rollbackAll(db: Db): Promise<string[]> {
  const [, undone] = (await db.migrate.rollback({ migrationSource }, true)) as [number, string[]];
  await enforceForeignKeys(db);
  return undone;
}

export async function rollbackLast(db: Db): Promise<string[]> {
  const [, undone] = (await db.migrate.down({ migrationSource })) as [number, string[]];
  await enforceForeignKeys(db);
  return undone;
}

/**
 * knex 3.3 rebuilds a SQLite table (dropColumn and friends) with foreign keys switched off and
 * switches them back on without waiting; when its next query opens a transaction first, SQLite
 * ignores the pragma and the connection stays without foreign keys for good (about 1 in 800
 * rebuilds on a loaded machine). So every schema change ends by switching them on again, and
 * checks that they are.
 */
async function enforceForeignKeys(db: Db): Promise<void> {
  if (dialectOfDb(db) !== 'sqlite') return;
  await db.raw('PRAGMA foreign_keys = ON');
  const [row] = (await db.raw('PRAGMA foreign_keys')) as { foreign_keys: number }[];
  if (row?.foreign_keys !== 1) throw new Error('SQLite refused to enforce foreign keys after a schema change');
}

export async function pendingMigrations(db: Db): Promise<string[]> {
  const [, pending] = (await db.migrate.list({ migrationSource })) as [unknown, { name: string }[]];
  return pending.map((m) => m.name);
}

export async function ping(db: Db): Promise<void> {
  await db.raw('select 1');
}

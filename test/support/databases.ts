import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory from 'knex';
import { createDb, migrateLatest, type Db, type Dialect } from '../../server/db/database.js';

/**
 * PostgreSQL is part of the test suite, never optional: a suite that cannot reach it fails and
 * says how to fix that. Each test file gets a database of its own, dropped afterwards.
 */
export const POSTGRES_ADMIN_URL = process.env.PI_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export const DIALECTS: Dialect[] = ['sqlite', 'postgres'];

export interface TestDatabase {
  url: string;
  db: Db;
  drop(): Promise<void>;
}

export async function createTestDatabase(dialect: Dialect, options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const { url, drop } = dialect === 'sqlite' ? sqliteUrl() : await postgresUrl();
  const db = createDb(url);
  if (options.migrate !== false) await migrateLatest(db);
  return {
    url,
    db,
    async drop() {
      await db.destroy();
      await drop();
    },
  };
}

function sqliteUrl() {
  const dir = mkdtempSync(join(tmpdir(), 'pi-test-'));
  return { url: `sqlite:${join(dir, 'test.sqlite')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

async function postgresUrl() {
  const name = `pi_test_${randomBytes(6).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: POSTGRES_ADMIN_URL, pool: { min: 0, max: 1 } });
  try {
    await admin.raw(`create database ${name}`);
  } catch (err) {
    await admin.destroy();
    throw new Error(
      `PostgreSQL is required by the test suite and is not reachable at ${POSTGRES_ADMIN_URL} ` +
        `(${(err as Error).message}). Start PostgreSQL 15 or set PI_TEST_POSTGRES_URL.`,
    );
  }
  await admin.destroy();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const cleanup = knexFactory({ client: 'pg', connection: POSTGRES_ADMIN_URL, pool: { min: 0, max: 1 } });
      await cleanup.raw(`drop database if exists ${name} with (force)`);
      await cleanup.destroy();
    },
  };
}

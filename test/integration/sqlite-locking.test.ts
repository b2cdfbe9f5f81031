import { describe, expect, it } from 'vitest';
import { createDb } from '../../server/db/database.js';
import { seedConnections } from '../support/seed-connections.js';
import { createTestDatabase } from '../support/databases.js';

/**
 * SQLite only (PostgreSQL has row locks): two processes on one file, the server and the CLI, say.
 * A transaction that reads and then writes must wait for the other writer, not fail with
 * SQLITE_BUSY because the other one committed between its read and its write (seen in CI).
 */
describe('SQLite transactions between processes', () => {
  it('a read-then-write transaction waits for a writer that commits meanwhile', async () => {
    const database = await createTestDatabase('sqlite');
    const other = createDb(database.url);
    try {
      await seedConnections(database.db, 2);
      let otherWrite: Promise<unknown> | undefined;
      await database.db.transaction(async (trx) => {
        await trx('connections').where({ id: 'conn_seed0000000000' }).first('state');
        // (A knex query starts when it is awaited or then'd; this one must start now.)
        otherWrite = other('connections')
          .where({ id: 'conn_seed0000000001' })
          .update({ name: 'written by the other process' })
          .then((n) => n);
        await new Promise((r) => setTimeout(r, 300));
        await trx('connections').where({ id: 'conn_seed0000000000' }).update({ name: 'written by this one' });
      });
      await otherWrite;
      const names = await database.db('connections').orderBy('id').pluck('name');
      expect(names).toEqual(['written by this one', 'written by the other process']);
    } finally {
      await other.destroy();
      await database.drop();
    }
  });
});

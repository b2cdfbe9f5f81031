import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateLatest, pendingMigrations, rollbackAll, rollbackLast } from '../../server/db/database.js';
import { migrations } from '../../server/db/migrations/index.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';

const TABLES = [
  'connections',
  'connection_state_changes',
  'connection_secrets',
  'oauth_states',
  'charges',
  'payment_intents',
  'refunds',
  'disputes',
  'payouts',
  'balance_transactions',
  'early_fraud_warnings',
  'balance_snapshots',
  'event_inbox',
  'event_watermarks',
  'backfill_runs',
  'backfill_segments',
  'report_runs',
  'report_rows',
];

describe.each(DIALECTS)('migrations on %s', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(dialect, { migrate: false });
  });
  afterAll(async () => database.drop());

  it('run latest → rollback all → latest', async () => {
    const { db } = database;
    expect(await migrateLatest(db)).toEqual(migrations.map(([name]) => name));
    for (const table of TABLES) expect(await db.schema.hasTable(table), table).toBe(true);

    expect(await rollbackAll(db)).toHaveLength(migrations.length);
    for (const table of TABLES) expect(await db.schema.hasTable(table), table).toBe(false);

    expect(await migrateLatest(db)).toHaveLength(migrations.length);
    expect(await pendingMigrations(db)).toEqual([]);
  });

  it('keep child rows when a later migration that rebuilds connections is rolled back', async () => {
    const { db } = database;
    const now = Date.now();
    await db('connections').insert({
      id: 'conn_keep',
      account_id: 'acct_keep',
      livemode: false,
      auth_kind: 'api_key',
      state: 'live',
      state_changed_at: now,
      created_at: now,
      updated_at: now,
    });
    await db('connection_state_changes').insert({ connection_id: 'conn_keep', to_state: 'live', reason: 'test', created_at: now });
    await rollbackLast(db);
    await migrateLatest(db);
    expect(await db('connection_state_changes').where({ connection_id: 'conn_keep' })).toHaveLength(1);
    await db('connection_state_changes').where({ connection_id: 'conn_keep' }).delete();
    await db('connections').where({ id: 'conn_keep' }).delete();
  });

  it('enforce the keys later issues rely on', async () => {
    const { db } = database;
    const now = Date.now();
    const event = {
      account_id: 'acct_1',
      event_id: 'evt_1',
      type: 'charge.succeeded',
      livemode: false,
      created: 1,
      source: 'poll',
      payload: JSON.stringify({ id: 'evt_1' }),
      received_at: now,
    };
    await db('event_inbox').insert(event);
    await expect(db('event_inbox').insert(event)).rejects.toThrow(/unique|duplicate/i);
    await db('event_inbox').insert({ ...event, account_id: 'acct_2' });

    const connection = {
      id: 'conn_1',
      account_id: 'acct_1',
      livemode: false,
      auth_kind: 'oauth',
      state: 'connecting',
      state_changed_at: now,
      created_at: now,
      updated_at: now,
    };
    await db('connections').insert(connection);
    await expect(db('connections').insert({ ...connection, id: 'conn_2' })).rejects.toThrow(/unique|duplicate/i);
    await db('connections').insert({ ...connection, id: 'conn_3', livemode: true });

    // Foreign keys hold on SQLite too (they are off unless the db module turns them on).
    await expect(
      db('connection_state_changes').insert({
        connection_id: 'conn_missing',
        to_state: 'live',
        reason: 'x',
        created_at: now,
      }),
    ).rejects.toThrow(/foreign key/i);

    const charge = {
      account_id: 'acct_1',
      id: 'ch_1',
      livemode: false,
      created: 1,
      stripe_updated_at: 1,
      raw: '{}',
      synced_at: now,
      amount: 9_007_199_254_740_991,
      currency: 'usd',
      amount_captured: 0,
      amount_refunded: 0,
      status: 'succeeded',
      paid: true,
      captured: true,
      refunded: false,
      disputed: false,
    };
    await db('charges').insert(charge);
    const [stored] = await db('charges').where({ account_id: 'acct_1', id: 'ch_1' });
    expect(Number(stored.amount)).toBe(9_007_199_254_740_991);
    await expect(db('charges').insert(charge)).rejects.toThrow(/unique|duplicate/i);
  });
});

describe('foreign keys on sqlite after a schema change', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
  });
  afterAll(async () => database.drop());

  // knex rebuilds a table with foreign keys off and turns them back on without waiting; if its next
  // query begins a transaction first, SQLite ignores the pragma (seen in CI: an orphan row stored).
  // Leaving them off by hand is that outcome, made certain.
  it.each([
    ['migrateLatest', migrateLatest],
    [
      'rollbackLast',
      async (db: TestDatabase['db']) => {
        await rollbackLast(db);
        await migrateLatest(db);
      },
    ],
    [
      'rollbackAll',
      async (db: TestDatabase['db']) => {
        await rollbackAll(db);
        await migrateLatest(db);
      },
    ],
  ])('enforce foreign keys after %s, whatever a table rebuild left behind', async (_name, change) => {
    const { db } = database;
    await db.raw('PRAGMA foreign_keys = OFF');
    await change(db);
    expect(await db.raw('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
    await expect(
      db('connection_state_changes').insert({
        connection_id: 'conn_missing',
        to_state: 'live',
        reason: 'x',
        created_at: Date.now(),
      }),
    ).rejects.toThrow(/foreign key/i);
  });
});

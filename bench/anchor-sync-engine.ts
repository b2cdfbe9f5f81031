// The anchor we benchmark the import against: @supabase/stripe-sync-engine 0.48.5 (a devDependency
// for benchmarks only), run as its README says, on a PostgreSQL database of its own. Its ES module
// build cannot migrate (`__dirname`), so the CommonJS build is loaded.
import { createRequire } from 'node:module';
import knexFactory from 'knex';
import Stripe from 'stripe';
import { createTestDatabase } from '../test/support/databases.js';

const require = createRequire(import.meta.url);
const engine = require('@supabase/stripe-sync-engine') as {
  StripeSync: new (config: Record<string, unknown>) => {
    stripe: Stripe;
    syncBackfill(p: { object: string }): Promise<Record<string, { synced: number }>>;
    postgresClient: { pool: { end(): Promise<void>; on(event: 'error', listener: (err: Error) => void): void } };
  };
  runMigrations(config: { databaseUrl: string; schema: string }): Promise<void>;
};

/** The object types it shares with us (it has no payouts, balance transactions, events or reports). */
export const ANCHOR_OBJECTS = [
  { object: 'charge', table: 'charges', ours: 'charges' },
  { object: 'payment_intent', table: 'payment_intents', ours: 'payment_intents' },
  { object: 'refund', table: 'refunds', ours: 'refunds' },
  { object: 'dispute', table: 'disputes', ours: 'disputes' },
  { object: 'early_fraud_warning', table: 'early_fraud_warnings', ours: 'early_fraud_warnings' },
] as const;

export interface AnchorRun {
  objects: number;
  seconds: number;
  objects_per_second: number;
  /** Per object type: rows it stored, and the error that ended its backfill if one did (it does not retry 429s). */
  stored: Record<string, number>;
  errors: Record<string, string>;
}

/** Backfills each shared object type in turn, as a user of its `syncBackfill` would, into a fresh database. */
export async function runAnchor(apiBase: string, key: string): Promise<AnchorRun> {
  const database = await createTestDatabase('postgres', { migrate: false });
  try {
    await engine.runMigrations({ databaseUrl: database.url, schema: 'stripe' });
    const check = knexFactory({ client: 'pg', connection: database.url, pool: { min: 0, max: 1 } });
    const migrated = await check.raw("select to_regclass('stripe.charges') as t");
    if (!migrated.rows[0].t) throw new Error("the anchor's migrations did not create stripe.charges (runMigrations logs and goes on)");
    const sync = new engine.StripeSync({
      databaseUrl: database.url,
      schema: 'stripe',
      stripeSecretKey: key,
      stripeWebhookSecret: 'whsec_unused',
      backfillRelatedEntities: false,
      autoExpandLists: false,
      poolConfig: { max: 10 },
    });
    // Dropping its database afterwards ends its idle connections: not an error of the run.
    sync.postgresClient.pool.on('error', () => undefined);
    const url = new URL(apiBase);
    sync.stripe = new Stripe(key, { host: url.hostname, port: Number(url.port), protocol: 'http' });
    const errors: Record<string, string> = {};
    const started = Date.now();
    for (const { object } of ANCHOR_OBJECTS) {
      await sync.syncBackfill({ object }).catch((err: unknown) => {
        errors[object] = err instanceof Error ? err.message : String(err);
      });
    }
    const seconds = (Date.now() - started) / 1000;
    const stored: Record<string, number> = {};
    for (const { object, table } of ANCHOR_OBJECTS)
      stored[object] = Number((await check.raw(`select count(*)::int as n from stripe.${table}`)).rows[0].n);
    await check.destroy();
    await sync.postgresClient.pool.end();
    const objects = Object.values(stored).reduce((a, b) => a + b, 0);
    return { objects, seconds: Number(seconds.toFixed(2)), objects_per_second: Math.round(objects / seconds), stored, errors };
  } finally {
    await database.drop();
  }
}

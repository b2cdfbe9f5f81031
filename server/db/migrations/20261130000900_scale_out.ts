import type { Knex } from 'knex';

// SQLite rebuilds event_watermarks to drop the columns on the way down; see 20261130000600.
export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  // Adaptive polling: when each connection is due next, and the interval that got it there.
  await knex.schema.alterTable('event_watermarks', (t) => {
    t.bigInteger('next_poll_at').nullable().index();
    t.integer('poll_interval_ms').nullable();
  });
  // One running job per family and key across every worker process. A lease, renewed while the
  // job runs, so a killed worker's lock lapses and another worker takes the job over.
  await knex.schema.createTable('job_locks', (t) => {
    t.string('lock_key', 200).primary();
    t.string('holder', 80).notNullable();
    t.bigInteger('expires_at').notNullable();
  });
  // Rate budgets shared by every process: one token bucket per account, mode and endpoint.
  await knex.schema.createTable('rate_limit_buckets', (t) => {
    t.string('bucket_key', 200).primary();
    t.double('tokens').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.bigInteger('paused_until').notNullable().defaultTo(0);
  });
  // Jobs that failed every retry: shown in the connection's status until the work succeeds again.
  await knex.schema.createTable('job_dead_letters', (t) => {
    t.increments('id').primary();
    t.string('connection_id', 40).nullable().references('id').inTable('connections').onDelete('CASCADE');
    t.string('job', 64).notNullable();
    t.text('payload').notNullable();
    t.text('error').notNullable();
    t.integer('attempts').notNullable();
    t.bigInteger('created_at').notNullable();
    t.index(['connection_id', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('job_dead_letters');
  await knex.schema.dropTable('rate_limit_buckets');
  await knex.schema.dropTable('job_locks');
  await knex.schema.alterTable('event_watermarks', (t) => {
    t.dropIndex(['next_poll_at']);
    t.dropColumn('poll_interval_ms');
    t.dropColumn('next_poll_at');
  });
}

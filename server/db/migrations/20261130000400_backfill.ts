import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // A run imports one resource of one connection up to a frozen ceiling.
  await knex.schema.createTable('backfill_runs', (t) => {
    t.increments('id').primary();
    t.string('connection_id', 40).notNullable().references('id').inTable('connections').onDelete('CASCADE');
    t.string('resource', 64).notNullable();
    t.bigInteger('created_gte').nullable().comment('unix seconds; null means from the beginning');
    t.bigInteger('created_lt').notNullable().comment('frozen ceiling, unix seconds');
    t.string('state', 16).notNullable().comment('running | succeeded | failed | cancelled');
    t.bigInteger('objects').notNullable().defaultTo(0);
    t.integer('pages').notNullable().defaultTo(0);
    t.bigInteger('estimated_total').nullable();
    t.text('verification').nullable().comment('JSON: counts compared with the source');
    t.text('last_error').nullable();
    t.bigInteger('started_at').notNullable();
    t.bigInteger('finished_at').nullable();
    t.index(['connection_id', 'resource', 'state']);
  });

  // Checkpoints: one row per `created` range, updated after every page, so a killed process
  // resumes from the last cursor of each range.
  await knex.schema.createTable('backfill_segments', (t) => {
    t.increments('id').primary();
    t.integer('run_id').unsigned().notNullable().references('id').inTable('backfill_runs').onDelete('CASCADE');
    t.bigInteger('created_gte').notNullable();
    t.bigInteger('created_lt').notNullable();
    t.string('cursor', 64).nullable().comment('starting_after of the next page');
    t.string('state', 16).notNullable().comment('pending | running | done | split');
    t.bigInteger('objects').notNullable().defaultTo(0);
    t.integer('pages').notNullable().defaultTo(0);
    t.bigInteger('updated_at').notNullable();
    t.index(['run_id', 'state']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('backfill_segments');
  await knex.schema.dropTable('backfill_runs');
}

import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('report_runs', (t) => {
    t.increments('id').primary();
    t.string('connection_id', 40).notNullable().references('id').inTable('connections').onDelete('CASCADE');
    t.string('account_id', 64).notNullable();
    t.string('family', 64).notNullable().comment('for example payouts.itemized');
    t.string('report_type', 96).notNullable().comment('versioned id, for example payouts.itemized.3');
    t.bigInteger('interval_start').notNullable();
    t.bigInteger('interval_end').notNullable();
    t.string('timezone', 64).notNullable();
    t.string('stripe_run_id', 64).nullable().unique();
    t.string('status', 16).notNullable().comment('requested | pending | succeeded | failed | downloaded');
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('error').nullable();
    t.string('file_id', 64).nullable();
    t.text('columns').nullable().comment('JSON array of the CSV header');
    t.integer('row_count').nullable();
    t.bigInteger('requested_at').notNullable();
    t.bigInteger('next_check_at').nullable();
    t.bigInteger('finished_at').nullable();
    t.index(['connection_id', 'family', 'interval_start', 'interval_end']);
  });

  // CSV amounts are major units: the exact decimal string and the integer minor units.
  await knex.schema.createTable('report_rows', (t) => {
    t.integer('report_run_id').unsigned().notNullable().references('id').inTable('report_runs').onDelete('CASCADE');
    t.integer('row_number').notNullable();
    t.string('account_id', 64).notNullable();
    t.string('balance_transaction_id', 64).nullable().index();
    t.string('category', 64).nullable();
    t.string('currency', 3).nullable();
    t.string('gross_decimal', 32).nullable();
    t.bigInteger('gross_minor').nullable();
    t.string('fee_decimal', 32).nullable();
    t.bigInteger('fee_minor').nullable();
    t.string('net_decimal', 32).nullable();
    t.bigInteger('net_minor').nullable();
    t.jsonb('data').notNullable().comment('the row as the report returned it');
    t.primary(['report_run_id', 'row_number']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('report_rows');
  await knex.schema.dropTable('report_runs');
}

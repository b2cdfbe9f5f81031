import type { Knex } from 'knex';

// SQLite drops columns by rebuilding the table on the way down; see 20261130000600.
export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  // When the current install (or reauthorization) happened: a lifecycle event older than it
  // cannot undo it. Existing app connections count from when they were created.
  await knex.schema.alterTable('connections', (t) => {
    t.bigInteger('authorized_at').nullable().comment('ms; the latest install or reauthorization');
  });
  await knex('connections')
    .where({ auth_kind: 'oauth' })
    .update({ authorized_at: knex.ref('created_at') });
  // What this import did, apart from earlier ones: when a job last took the run up, and how many
  // objects it held then ("resumed; 12 new objects", not the run's total).
  await knex.schema.alterTable('backfill_runs', (t) => {
    t.bigInteger('picked_up_at').nullable();
    t.bigInteger('objects_before').notNullable().defaultTo(0);
  });
  // Polls that fail: since when, and the last reason (the last good poll is last_polled_at).
  await knex.schema.alterTable('event_watermarks', (t) => {
    t.bigInteger('poll_failing_since').nullable();
    t.text('last_poll_error').nullable();
    t.bigInteger('last_poll_error_at').nullable();
    t.bigInteger('last_checked_at').nullable().comment('ms; the last poll attempt, good or not');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('event_watermarks', (t) => {
    t.dropColumn('last_checked_at');
    t.dropColumn('last_poll_error_at');
    t.dropColumn('last_poll_error');
    t.dropColumn('poll_failing_since');
  });
  await knex.schema.alterTable('backfill_runs', (t) => {
    t.dropColumn('objects_before');
    t.dropColumn('picked_up_at');
  });
  await knex.schema.alterTable('connections', (t) => {
    t.dropColumn('authorized_at');
  });
}

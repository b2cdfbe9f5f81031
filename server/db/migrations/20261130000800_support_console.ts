import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Console logins: the cookie carries a random id; only its hash is stored, so a database
  // read does not hand out sessions. The CSRF token is sent back on every unsafe request.
  await knex.schema.createTable('support_sessions', (t) => {
    t.string('id_hash', 64).primary();
    t.string('csrf_token', 64).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at').notNullable().index();
  });
  // The console lists thousands of connections with each one's newest applied event: this
  // index answers that per connection without reading its events.
  await knex.schema.alterTable('event_inbox', (t) => {
    t.index(['account_id', 'livemode', 'status', 'created'], 'event_inbox_newest_applied');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('event_inbox', (t) => {
    t.dropIndex(['account_id', 'livemode', 'status', 'created'], 'event_inbox_newest_applied');
  });
  await knex.schema.dropTable('support_sessions');
}

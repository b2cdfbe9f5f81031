import type { Knex } from 'knex';

// Times we record ourselves are epoch milliseconds (bigint); Stripe's own times keep Stripe's
// unix seconds under Stripe's names. One convention on both engines, no timezone surprises.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('connections', (t) => {
    t.string('id', 40).primary();
    t.string('account_id', 64).notNullable();
    t.boolean('livemode').notNullable();
    t.string('auth_kind', 16).notNullable().comment('oauth | api_key');
    t.string('merchant_id', 128).nullable().index();
    t.string('name', 255).nullable();
    t.string('country', 2).nullable();
    t.string('state', 32).notNullable().index();
    t.text('state_reason').nullable();
    t.bigInteger('state_changed_at').notNullable();
    t.bigInteger('token_expires_at').nullable();
    t.string('reporting_timezone', 64).notNullable().defaultTo('UTC');
    t.text('settings').notNullable().defaultTo('{}');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.unique(['account_id', 'livemode']);
  });

  await knex.schema.createTable('connection_state_changes', (t) => {
    t.increments('id').primary();
    t.string('connection_id', 40).notNullable().references('id').inTable('connections').onDelete('CASCADE');
    t.string('from_state', 32).nullable();
    t.string('to_state', 32).notNullable();
    t.text('reason').notNullable();
    t.bigInteger('created_at').notNullable();
    t.index(['connection_id', 'created_at']);
  });

  // One row per (connection, kind); rotation is an update guarded by `version`, so two
  // refreshes racing on one connection cannot both persist a refresh token.
  await knex.schema.createTable('connection_secrets', (t) => {
    t.string('connection_id', 40).notNullable().references('id').inTable('connections').onDelete('CASCADE');
    t.string('kind', 32).notNullable().comment('access_token | refresh_token | api_key | webhook_secret');
    t.string('key_id', 16).notNullable();
    t.text('ciphertext').notNullable();
    t.integer('version').notNullable().defaultTo(1);
    t.bigInteger('updated_at').notNullable();
    t.primary(['connection_id', 'kind']);
  });

  await knex.schema.createTable('oauth_states', (t) => {
    t.string('state_hash', 64).primary();
    t.string('mode', 4).notNullable();
    t.string('merchant_id', 128).nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at').notNullable().index();
    t.bigInteger('used_at').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('oauth_states');
  await knex.schema.dropTable('connection_secrets');
  await knex.schema.dropTable('connection_state_changes');
  await knex.schema.dropTable('connections');
}

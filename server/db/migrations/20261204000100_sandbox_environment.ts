import type { Knex } from 'knex';

// SQLite rebuilds the table to drop a column or change a type; see 20261130000600.
export const config = { transaction: false };

/**
 * Installs into a Stripe sandbox connect through the app's managed sandbox, a third environment
 * with its own platform key and client id: each connection says which one (`live`, `test` or
 * `sandbox`), and an install link in progress may belong to the sandbox too.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('connections', (t) => {
    t.string('environment', 8).notNullable().defaultTo('test');
  });
  await knex('connections').where({ livemode: true }).update({ environment: 'live' });
  await knex.schema.alterTable('oauth_states', (t) => {
    t.string('mode', 8).notNullable().alter();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex('oauth_states').where({ mode: 'sandbox' }).delete();
  await knex.schema.alterTable('oauth_states', (t) => {
    t.string('mode', 4).notNullable().alter();
  });
  await knex.schema.alterTable('connections', (t) => {
    t.dropColumn('environment');
  });
}

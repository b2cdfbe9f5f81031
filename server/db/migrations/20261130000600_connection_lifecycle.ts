import type { Knex } from 'knex';

// SQLite drops a column by rebuilding the table. Inside a transaction knex cannot switch foreign
// keys off, and dropping the old `connections` would cascade-delete every child row; outside one
// it can. So this migration runs without a wrapping transaction.
export const config = { transaction: false };

// What the status model needs beyond the state itself: what is missing, what failed last, and
// the lease that keeps token refreshes one at a time per connection across processes.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('connections', (t) => {
    t.string('install_source', 32).nullable().comment('oauth_install | marketplace | api_key');
    t.text('missing_permissions').nullable().comment('JSON array of permission names');
    t.text('last_error').nullable();
    t.bigInteger('last_error_at').nullable();
    t.bigInteger('token_refreshed_at').nullable();
    t.bigInteger('refresh_lock_until').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('connections', (t) => {
    t.dropColumn('refresh_lock_until');
    t.dropColumn('token_refreshed_at');
    t.dropColumn('last_error_at');
    t.dropColumn('last_error');
    t.dropColumn('missing_permissions');
    t.dropColumn('install_source');
  });
}

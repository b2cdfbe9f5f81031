import type { Knex } from 'knex';

// SQLite rebuilds the table to drop a column; see 20261130000600.
export const config = { transaction: false };

/**
 * - `app_signature_uses`: each state-changing request the Stripe App signed, until its signature
 *   expires, so a captured one is accepted once.
 * - `connections.merchant_id` names one webhook URL, so it is unique per mode. Earlier rows that
 *   shared one keep it on the oldest; the others get `<id>-<connection id>`, with a note in their
 *   timeline (their events still arrive by polling meanwhile).
 * - Console CSRF tokens are derived from the session id (which only the cookie holds), no longer stored.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('app_signature_uses', (t) => {
    t.string('signature_hash', 64).primary();
    t.bigInteger('expires_at').notNullable().index();
  });
  const shared = await knex('connections')
    .whereNotNull('merchant_id')
    .groupBy('merchant_id', 'livemode')
    .having(knex.raw('count(*) > 1'))
    .select('merchant_id', 'livemode');
  for (const { merchant_id: merchantId, livemode } of shared) {
    const rows = await knex('connections')
      .where({ merchant_id: merchantId, livemode })
      .orderBy('created_at')
      .orderBy('id')
      .select('id', 'state');
    for (const { id, state } of rows.slice(1)) {
      const renamed = `${String(merchantId)}-${String(id)}`;
      await knex('connections').where({ id }).update({ merchant_id: renamed });
      await knex('connection_state_changes').insert({
        connection_id: id,
        from_state: state,
        to_state: state,
        created_at: Date.now(),
        reason:
          `merchant id "${String(merchantId)}" was shared with another connection; this one is now "${renamed}": ` +
          'point its Stripe webhook endpoint at the new URL',
      });
    }
  }
  await knex.schema.alterTable('connections', (t) => {
    t.unique(['merchant_id', 'livemode'], { indexName: 'connections_merchant_id_unique' });
  });
  await knex.schema.alterTable('support_sessions', (t) => {
    t.dropColumn('csrf_token');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex('support_sessions').delete();
  await knex.schema.alterTable('support_sessions', (t) => {
    t.string('csrf_token', 64).notNullable().defaultTo('');
  });
  await knex.schema.alterTable('connections', (t) => {
    t.dropUnique(['merchant_id', 'livemode'], 'connections_merchant_id_unique');
  });
  await knex.schema.dropTable('app_signature_uses');
}

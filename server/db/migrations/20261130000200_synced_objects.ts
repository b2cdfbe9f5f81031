import type { Knex } from 'knex';

type Columns = (t: Knex.CreateTableBuilder) => void;

/**
 * Every synced Stripe object: keyed by (account_id, id), the raw JSON as Stripe rendered it,
 * the API version it was rendered in, and `stripe_updated_at`: the unix second of the snapshot
 * (event `created`, or the time of an API read) that "newer wins" compares on.
 */
function syncedTable(knex: Knex, name: string, columns: Columns) {
  return knex.schema.createTable(name, (t) => {
    t.string('account_id', 64).notNullable();
    t.string('id', 64).notNullable();
    t.boolean('livemode').notNullable();
    t.bigInteger('created').notNullable().comment('Stripe created, unix seconds');
    t.bigInteger('stripe_updated_at').notNullable().comment('unix seconds of the snapshot stored');
    t.string('source_event_id', 64).nullable().comment('event that delivered the snapshot, if any');
    t.string('api_version', 32).nullable();
    t.jsonb('raw').notNullable();
    t.bigInteger('synced_at').notNullable();
    columns(t);
    t.primary(['account_id', 'id']);
    t.index(['account_id', 'created']);
  });
}

const money = (t: Knex.CreateTableBuilder) => {
  t.bigInteger('amount').notNullable().comment('minor units');
  t.string('currency', 3).notNullable();
};

export async function up(knex: Knex): Promise<void> {
  await syncedTable(knex, 'charges', (t) => {
    money(t);
    t.bigInteger('amount_captured').notNullable();
    t.bigInteger('amount_refunded').notNullable();
    t.string('status', 32).notNullable();
    t.boolean('paid').notNullable();
    t.boolean('captured').notNullable();
    t.boolean('refunded').notNullable();
    t.boolean('disputed').notNullable();
    t.string('payment_intent', 64).nullable().index();
    t.string('customer', 64).nullable();
    t.string('balance_transaction', 64).nullable();
    t.string('failure_code', 64).nullable();
    t.string('outcome_type', 32).nullable();
    t.string('payment_method_type', 32).nullable();
  });
  await syncedTable(knex, 'payment_intents', (t) => {
    money(t);
    t.bigInteger('amount_received').notNullable();
    t.string('status', 32).notNullable();
    t.string('customer', 64).nullable();
    t.string('latest_charge', 64).nullable();
    t.bigInteger('canceled_at').nullable();
  });
  await syncedTable(knex, 'refunds', (t) => {
    money(t);
    t.string('status', 32).nullable();
    t.string('reason', 64).nullable();
    t.string('charge', 64).nullable().index();
    t.string('payment_intent', 64).nullable();
    t.string('balance_transaction', 64).nullable();
  });
  await syncedTable(knex, 'disputes', (t) => {
    money(t);
    t.string('status', 32).notNullable();
    t.string('reason', 64).notNullable();
    t.string('charge', 64).notNullable().index();
    t.string('payment_intent', 64).nullable();
    t.boolean('is_charge_refundable').notNullable();
  });
  await syncedTable(knex, 'payouts', (t) => {
    money(t);
    t.string('status', 32).notNullable();
    t.bigInteger('arrival_date').notNullable();
    t.boolean('automatic').notNullable();
    t.string('method', 32).notNullable();
    t.string('type', 32).notNullable();
    t.string('balance_transaction', 64).nullable();
    t.string('failure_code', 64).nullable();
    t.string('reconciliation_status', 32).nullable();
  });
  await syncedTable(knex, 'balance_transactions', (t) => {
    money(t);
    t.bigInteger('fee').notNullable();
    t.bigInteger('net').notNullable();
    t.string('type', 64).notNullable();
    t.string('reporting_category', 64).notNullable();
    t.string('status', 32).notNullable();
    t.string('source', 64).nullable().index();
    t.string('payout', 64).nullable().index().comment('payout that settled it, when known');
    t.bigInteger('available_on').notNullable();
    t.string('exchange_rate', 32).nullable().comment('decimal string, exact');
  });
  await syncedTable(knex, 'early_fraud_warnings', (t) => {
    t.string('charge', 64).notNullable().index();
    t.string('payment_intent', 64).nullable();
    t.string('fraud_type', 64).notNullable();
    t.boolean('actionable').notNullable();
  });

  await knex.schema.createTable('balance_snapshots', (t) => {
    t.increments('id').primary();
    t.string('account_id', 64).notNullable();
    t.boolean('livemode').notNullable();
    t.bigInteger('taken_at').notNullable();
    t.jsonb('raw').notNullable();
    t.index(['account_id', 'taken_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'balance_snapshots',
    'early_fraud_warnings',
    'balance_transactions',
    'payouts',
    'disputes',
    'refunds',
    'payment_intents',
    'charges',
  ]) {
    await knex.schema.dropTable(table);
  }
}

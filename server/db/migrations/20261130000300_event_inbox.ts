import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Every event from every source lands here first; the unique key is what makes
  // webhooks, redeliveries and the poller's overlap window idempotent.
  await knex.schema.createTable('event_inbox', (t) => {
    t.increments('id').primary();
    t.string('account_id', 64).notNullable();
    t.string('event_id', 64).notNullable();
    t.string('type', 128).notNullable();
    t.boolean('livemode').notNullable();
    t.bigInteger('created').notNullable().comment('event created, unix seconds');
    t.string('api_version', 32).nullable();
    t.string('source', 32).notNullable().comment('poll | app_webhook | merchant_webhook');
    t.jsonb('payload').notNullable();
    t.string('status', 16).notNullable().defaultTo('pending').comment('pending | processed | ignored | failed');
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error').nullable();
    t.integer('deliveries').notNullable().defaultTo(1).comment('times any source delivered it');
    t.bigInteger('received_at').notNullable();
    t.bigInteger('processed_at').nullable();
    t.unique(['account_id', 'event_id']);
    t.index(['status', 'id']);
    t.index(['account_id', 'created']);
  });

  await knex.schema.createTable('event_watermarks', (t) => {
    t.string('connection_id', 40).primary().references('id').inTable('connections').onDelete('CASCADE');
    t.bigInteger('watermark').notNullable().comment('unix seconds; events before it are in the inbox');
    t.bigInteger('last_polled_at').nullable();
    t.bigInteger('last_event_created').nullable();
    t.bigInteger('updated_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('event_watermarks');
  await knex.schema.dropTable('event_inbox');
}

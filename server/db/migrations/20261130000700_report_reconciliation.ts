import type { Knex } from 'knex';

// SQLite rebuilds the table to drop the column on the way down; see 20261130000600.
export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('report_runs', (t) => {
    t.text('reconciliation').nullable().comment('JSON: report totals compared with imported balance transactions');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('report_runs', (t) => {
    t.dropColumn('reconciliation');
  });
}

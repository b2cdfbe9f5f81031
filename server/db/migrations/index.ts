import type { Knex } from 'knex';
import * as connections from './20261130000100_connections.js';
import * as syncedObjects from './20261130000200_synced_objects.js';
import * as eventInbox from './20261130000300_event_inbox.js';
import * as backfill from './20261130000400_backfill.js';
import * as reports from './20261130000500_reports.js';
import * as connectionLifecycle from './20261130000600_connection_lifecycle.js';
import * as reportReconciliation from './20261130000700_report_reconciliation.js';
import * as supportConsole from './20261130000800_support_console.js';
import * as scaleOut from './20261130000900_scale_out.js';
import * as stateTruth from './20261203000100_state_truth.js';
import * as sandboxEnvironment from './20261204000100_sandbox_environment.js';
import * as hostileInput from './20261204000200_hostile_input.js';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
  config?: { transaction?: boolean };
}

/**
 * Every migration, in order. Registered explicitly (not discovered from the folder) so that the
 * same list works under tsx, compiled output and tests; an architecture test checks that every
 * file in this folder is listed here, in timestamp order.
 */
export const migrations: [name: string, migration: Migration][] = [
  ['20261130000100_connections', connections],
  ['20261130000200_synced_objects', syncedObjects],
  ['20261130000300_event_inbox', eventInbox],
  ['20261130000400_backfill', backfill],
  ['20261130000500_reports', reports],
  ['20261130000600_connection_lifecycle', connectionLifecycle],
  ['20261130000700_report_reconciliation', reportReconciliation],
  ['20261130000800_support_console', supportConsole],
  ['20261130000900_scale_out', scaleOut],
  ['20261203000100_state_truth', stateTruth],
  ['20261204000100_sandbox_environment', sandboxEnvironment],
  ['20261204000200_hostile_input', hostileInput],
];

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => migrations.map(([name]) => name),
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const found = migrations.find(([n]) => n === name);
    if (!found) throw new Error(`Unknown migration ${name}`);
    return found[1];
  },
};

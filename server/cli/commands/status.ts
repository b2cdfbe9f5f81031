import { parseArgs } from 'node:util';
import { listConnections, getConnection } from '../../connections/connection-repository.js';
import { createDb, pendingMigrations } from '../../db/database.js';
import { CliError, type Command } from '../command.js';

export const statusCommand: Command = {
  name: 'status',
  usage: 'status [--connection ID] [--json]',
  summary: 'show connections and their state',
  async run({ config, args, json, out }) {
    const { values } = parseArgs({ args, options: { connection: { type: 'string' } }, strict: true });
    const db = createDb(config.databaseUrl);
    try {
      const pending = await pendingMigrations(db);
      if (pending.length) throw new CliError(`database has ${pending.length} pending migration(s); run: pi-stripe migrate`);
      const connections = values.connection
        ? [await getConnection(db, values.connection)].filter((c) => c !== null)
        : await listConnections(db);
      if (values.connection && !connections.length) throw new CliError(`no connection with id ${values.connection}`);
      if (json) return out(JSON.stringify({ sandbox: config.sandbox, connections }, null, 2));
      if (!connections.length) return out('No connections yet.');
      out(['ID'.padEnd(28), 'ACCOUNT'.padEnd(24), 'MODE', 'STATE'.padEnd(26), 'NAME'].join(' '));
      for (const c of connections) {
        out([c.id.padEnd(28), c.accountId.padEnd(24), c.livemode ? 'live' : 'test', c.state.padEnd(26), c.name ?? ''].join(' '));
      }
    } finally {
      await db.destroy();
    }
  },
};

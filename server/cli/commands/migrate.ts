import { createDb, migrateLatest } from '../../db/database.js';
import type { Command } from '../command.js';

export const migrateCommand: Command = {
  name: 'migrate',
  usage: 'migrate [--json]',
  summary: 'apply pending database migrations',
  async run({ config, json, out }) {
    const db = createDb(config.databaseUrl);
    try {
      const applied = await migrateLatest(db);
      if (json) out(JSON.stringify({ applied }));
      else out(applied.length ? `Applied ${applied.length} migration(s):\n  ${applied.join('\n  ')}` : 'Database is up to date.');
    } finally {
      await db.destroy();
    }
  },
};

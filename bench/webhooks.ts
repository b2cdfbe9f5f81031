// Webhook intake benchmark:
//   `npx tsx bench/webhooks.ts [--events N] [--concurrency C] [--db sqlite|postgres|both] [--synchronous full|normal|both]`
// Our server in this process, signed events from a second process over loopback. Prints JSON:
// accepted events/s and p50/p99 acknowledgement latency per database (events are processed
// after the acknowledgement, in the same process, as in production). `--synchronous` runs SQLite
// as the product does (FULL: a 2xx survives power loss) and/or with NORMAL, to show what FULL costs.
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { promisify } from 'node:util';
import { createApp } from '../server/app.js';
import { parseConfig } from '../server/config.js';
import type { Dialect } from '../server/db/database.js';
import { createTestDatabase } from '../test/support/databases.js';
import { createLogger } from '../server/logging/logger.js';
import { createServices } from '../server/services.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '32' },
    db: { type: 'string', default: 'both' },
    synchronous: { type: 'string', default: 'full' },
  },
});
const SECRET = 'whsec_benchmarkSecret0123456789';
const run = promisify(execFile);

async function once(kind: string, synchronous: string | null) {
  const target = await createTestDatabase(kind as Dialect);
  if (synchronous === 'normal') await target.db.raw('PRAGMA synchronous = NORMAL');
  const config = parseConfig({
    NODE_ENV: 'test',
    DATABASE_URL: target.url,
    LOG_LEVEL: 'silent',
    STRIPE_WEBHOOK_SECRETS: SECRET,
    ENCRYPTION_KEYS: Buffer.alloc(32, 5).toString('base64'),
    SUPPORT_TOKENS: 'bench-support-token-0123456789',
  });
  const { db } = target;
  const logger = createLogger({ level: 'silent' });
  const services = createServices(config, db, logger);
  const app = createApp({ config, db, logger, services });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stripe`;
  const setup = {
    url,
    secret: SECRET,
    count: Number(values.events),
    concurrency: Number(values.concurrency),
    account: 'acct_1BenchAccount00',
  };
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, '../test/support/webhook-load.ts'), JSON.stringify(setup)],
    { maxBuffer: 1 << 24 },
  );
  const result = JSON.parse(stdout) as Record<string, number>;
  const stored = Number((await db('event_inbox').count({ n: '*' }))[0]!.n);
  await services.jobs.stop();
  server.closeAllConnections();
  server.close();
  await target.drop();
  return { database: kind, ...(synchronous ? { synchronous } : {}), ...result, stored, lost: result.sent! - result.errors! - stored };
}

const kinds = values.db === 'both' ? ['sqlite', 'postgres'] : [values.db!];
const runs = [];
const modes = values.synchronous === 'both' ? ['full', 'normal'] : [values.synchronous!];
for (const kind of kinds) {
  if (kind === 'sqlite') for (const mode of modes) runs.push(await once(kind, mode));
  else runs.push(await once(kind, null));
}
process.stdout.write(
  JSON.stringify(
    { benchmark: 'webhooks', node: process.version, events: Number(values.events), concurrency: Number(values.concurrency), runs },
    null,
    2,
  ) + '\n',
);

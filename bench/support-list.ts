// Support console API benchmark: `npx tsx bench/support-list.ts [--connections N] [--requests R] [--db sqlite|postgres|both]`
// Seeds N connections (each with a finished import and a few events), then times R list requests
// (pages across the whole list, every sort, searches) and R detail requests over HTTP. Prints JSON.
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { createApp } from '../server/app.js';
import { parseConfig } from '../server/config.js';
import type { Dialect } from '../server/db/database.js';
import { createLogger } from '../server/logging/logger.js';
import { createServices } from '../server/services.js';
import { createTestDatabase } from '../test/support/databases.js';
import { seedConnections } from '../test/support/seed-connections.js';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '10000' },
    requests: { type: 'string', default: '300' },
    db: { type: 'string', default: 'both' },
  },
});
const TOKEN = 'bench-support-token-0123456789';
const SORTS = ['created', 'name', 'account', 'state', 'mode', 'last_event'];

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const summary = (xs: number[]) => ({
  p50_ms: +percentile(xs, 0.5).toFixed(1),
  p95_ms: +percentile(xs, 0.95).toFixed(1),
  max_ms: +Math.max(...xs).toFixed(1),
});

async function once(kind: Dialect) {
  const count = Number(values.connections);
  const target = await createTestDatabase(kind);
  const seedStart = performance.now();
  await seedConnections(target.db, count);
  if (kind === 'postgres') await target.db.raw('analyze');
  const seedSeconds = (performance.now() - seedStart) / 1000;
  const config = parseConfig({
    NODE_ENV: 'test',
    DATABASE_URL: target.url,
    LOG_LEVEL: 'silent',
    ENCRYPTION_KEYS: Buffer.alloc(32, 5).toString('base64'),
    SUPPORT_TOKENS: TOKEN,
  });
  const logger = createLogger({ level: 'silent' });
  const services = createServices(config, target.db, logger);
  const server = createApp({ config, db: target.db, logger, services }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/support`;
  const timed = async (path: string) => {
    const start = performance.now();
    const res = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    await res.arrayBuffer();
    return performance.now() - start;
  };
  const requests = Number(values.requests);
  const list: number[] = [];
  const detail: number[] = [];
  for (let i = 0; i < requests; i++) {
    const offset = Math.floor(Math.random() * (count / 50)) * 50;
    const query =
      i % 5 === 4
        ? `q=acct_seed${String(Math.floor(Math.random() * count)).padStart(8, '0')}`
        : `sort=${SORTS[i % SORTS.length]}&order=${i % 2 ? 'asc' : 'desc'}&offset=${offset}&limit=50`;
    list.push(await timed(`/connections?${query}`));
    detail.push(await timed(`/connections/conn_seed${String(Math.floor(Math.random() * count)).padStart(10, '0')}`));
  }
  const overview = [];
  for (let i = 0; i < 20; i++) overview.push(await timed('/overview'));
  server.close();
  await services.jobs.stop();
  await target.drop();
  return {
    db: kind,
    connections: count,
    requests,
    seed_seconds: +seedSeconds.toFixed(1),
    list: summary(list),
    detail: summary(detail),
    overview: summary(overview),
  };
}

const kinds: Dialect[] = values.db === 'both' ? ['sqlite', 'postgres'] : [values.db as Dialect];
const results = [];
for (const kind of kinds) results.push(await once(kind));
console.log(JSON.stringify({ benchmark: 'support-list', results }, null, 2));

// `npm test` runs this first: what the suite needs that `npm install` cannot bring, named in one
// line before anything runs (the suites would fail on it later, with far more noise).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import pg from 'pg';
import { POSTGRES_ADMIN_URL } from './support/databases.js';
import { DEBIAN_CHROMIUM } from './support/browser.js';

async function postgresProblem(): Promise<string | null> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (err) {
    const where = new URL(POSTGRES_ADMIN_URL).host;
    return `npm test needs PostgreSQL (15) at ${where} (${(err as Error).message || 'no answer'}): start it, or set PI_TEST_POSTGRES_URL`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function browserProblem(): string | null {
  if (existsSync(DEBIAN_CHROMIUM)) return null;
  try {
    createRequire(import.meta.url).resolve('@sparticuz/chromium');
    return null;
  } catch {
    return `npm test needs a Chromium: run npm install (it brings @sparticuz/chromium), or apt-get install -y chromium`;
  }
}

const problem = browserProblem() ?? (await postgresProblem());
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { listSummaries } from '../../server/status/connection-summaries.js';
import { supportOverview } from '../../server/status/overview.js';
import { DIALECTS, createTestDatabase, type TestDatabase } from '../support/databases.js';
import { seedConnections } from '../support/seed-connections.js';

const CONNECTIONS = 10_000;

/** Every statement a piece of work sends, with how many rows each brought back. */
async function recordQueries<T>(db: Knex, work: () => Promise<T>) {
  const queries: { sql: string; bindings: unknown[]; rows: number }[] = [];
  const byId = new Map<string, { sql: string; bindings: unknown[] }>();
  const onQuery = (q: { __knexQueryUid: string; sql: string; bindings: unknown[] }) =>
    byId.set(q.__knexQueryUid, { sql: q.sql, bindings: q.bindings ?? [] });
  const onResponse = (response: unknown, q: { __knexQueryUid: string }) => {
    queries.push({
      ...byId.get(q.__knexQueryUid)!,
      rows: Array.isArray(response) ? response.length : ((response as { rows?: unknown[] })?.rows?.length ?? 0),
    });
  };
  db.on('query', onQuery).on('query-response', onResponse);
  try {
    return { result: await work(), queries };
  } finally {
    db.off('query', onQuery).off('query-response', onResponse);
  }
}

describe.each(DIALECTS)('support list at 10,000 connections on %s', (dialect) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    await seedConnections(database.db, CONNECTIONS);
    if (dialect === 'postgres') await database.db.raw('analyze');
  }, 180_000);
  afterAll(() => database.drop());

  it('answers a page in a fixed number of queries that read a page worth of rows, whatever the page or sort', async () => {
    for (const sort of ['created', 'last_event', 'name'] as const) {
      const shapes: number[] = [];
      for (const [limit, offset] of [
        [10, 0],
        [200, 0],
        [50, 9_950],
      ] as const) {
        const { result, queries } = await recordQueries(database.db, () =>
          listSummaries(database.db, { sort, order: 'desc', limit, offset }),
        );
        expect(result.total).toBe(CONNECTIONS);
        expect(result.data).toHaveLength(limit);
        shapes.push(queries.length);
        // The count reads one row; the page `limit`; the runs 7 per connection; failures at most one per connection.
        for (const q of queries) expect(q.rows, q.sql).toBeLessThanOrEqual(limit * 7);
      }
      expect(new Set(shapes).size, `queries per page for sort=${sort}`).toBe(1);
      expect(shapes[0]).toBe(4);
    }
    const firstPage = await listSummaries(database.db, { limit: 50, offset: 0 });
    const secondPage = await listSummaries(database.db, { limit: 50, offset: 50 });
    expect(new Set([...firstPage.data, ...secondPage.data].map((c) => c.id)).size).toBe(100);
    const search = await listSummaries(database.db, { q: 'acct_seed00004242', limit: 50, offset: 0 });
    expect(search.data.map((c) => c.name)).toEqual(['Merchant 4242']);
  });

  it("finds each row's newest applied event through the index, not by reading events", async () => {
    const { queries } = await recordQueries(database.db, () =>
      listSummaries(database.db, { sort: 'last_event', order: 'asc', limit: 50, offset: 0 }),
    );
    const page = queries.find((q) => /event_inbox/.test(q.sql) && /max/.test(q.sql) && /connections/.test(q.sql))!;
    const explain = dialect === 'sqlite' ? 'explain query plan ' : 'explain ';
    const plan = await database.db.raw(explain + page.sql.replace(/\$\d+/g, '?'), page.bindings as Knex.RawBinding[]);
    const text = JSON.stringify(dialect === 'sqlite' ? plan : (plan as { rows: unknown[] }).rows);
    expect(text).toContain('event_inbox_newest_applied');
  });

  it('builds the overview from bounded queries', async () => {
    const { result, queries } = await recordQueries(database.db, () => supportOverview(database.db));
    expect(result.total).toBe(CONNECTIONS);
    expect(Object.values(result.by_state).reduce((a, b) => a + b, 0)).toBe(CONNECTIONS);
    expect(result.attention).toHaveLength(25);
    expect(result.attention[0]!.state).toBe('reauthorization_required');
    for (const q of queries) expect(q.rows, q.sql).toBeLessThanOrEqual(25 * 7);
    expect(queries.length).toBeLessThanOrEqual(40);
  });
});

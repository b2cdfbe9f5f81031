import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCES } from '../../server/resources/registry.js';
import { upsertObjects } from '../../server/sync/object-store.js';
import { SUBSCRIBED_EVENT_TYPES } from '../../shared/event-types.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';

const fixtures = JSON.parse(readFileSync(new URL('../../server/emulator/stripe-fixtures.json', import.meta.url), 'utf8')) as {
  resources: Record<string, { id: string; created: number }>;
};

describe('resource registry', () => {
  it('claims each object event type once, and only subscribed ones', () => {
    const claimed = RESOURCES.flatMap((r) => r.eventTypes);
    expect(new Set(claimed).size).toBe(claimed.length);
    for (const t of claimed) expect(SUBSCRIBED_EVENT_TYPES).toContain(t);
    expect(new Set(RESOURCES.map((r) => r.table)).size).toBe(RESOURCES.length);
  });

  it("declares links to registered resources, through fields Stripe's objects have", () => {
    for (const r of RESOURCES) {
      for (const link of r.links) {
        expect(
          RESOURCES.map((x) => x.name),
          `${r.name}.${link.field}`,
        ).toContain(link.resource);
        expect(Object.keys(fixtures.resources[r.objectType]!), `${r.name}.${link.field}`).toContain(link.field);
      }
    }
    expect(RESOURCES.find((r) => r.name === 'charges')!.links.map((l) => l.resource)).toEqual(['payment_intents', 'balance_transactions']);
  });
});

describe.each(DIALECTS)('row mappings on %s', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });
  afterAll(() => database.drop());

  it.each(RESOURCES.map((r) => [r.name, r] as const))(
    "%s stores Stripe's example object with every typed column",
    async (_name, resource) => {
      const fixture = fixtures.resources[resource.objectType]!;
      const meta = { accountId: 'acct_fixture', livemode: false, renderedAt: 1_700_000_000, apiVersion: '2026-10-28.endive' };
      await upsertObjects(database.db, resource, [fixture], meta);
      const columns = Object.keys(await database.db(resource.table).columnInfo());
      const mapped = Object.keys(resource.toRow(fixture as never));
      expect(mapped.filter((c) => !columns.includes(c))).toEqual([]);
      const row = await database.db(resource.table).where({ account_id: 'acct_fixture', id: fixture.id }).first();
      expect(JSON.parse(typeof row.raw === 'string' ? row.raw : JSON.stringify(row.raw))).toEqual(fixture);

      // An older snapshot never overwrites a newer one; an equal or newer one does.
      await upsertObjects(database.db, resource, [{ ...fixture, created: fixture.created }], {
        ...meta,
        renderedAt: 1_600_000_000,
        apiVersion: 'old',
      });
      expect((await database.db(resource.table).where({ id: fixture.id }).first()).api_version).toBe('2026-10-28.endive');
      await upsertObjects(database.db, resource, [fixture], { ...meta, renderedAt: 1_800_000_000, apiVersion: 'newer' });
      expect((await database.db(resource.table).where({ id: fixture.id }).first()).api_version).toBe('newer');
    },
  );
});

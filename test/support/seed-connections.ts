import type { Db } from '../../server/db/database.js';
import { RESOURCES } from '../../server/resources/registry.js';
import { CONNECTION_STATES } from '../../shared/connection-states.js';

/**
 * Writes `count` connections straight into the database, each with a finished import of every
 * resource and a few applied events: the shape of a large installation, in seconds.
 */
export async function seedConnections(db: Db, count: number, eventsEach = 3): Promise<void> {
  const now = Date.now();
  const batch = async (table: string, rows: Record<string, unknown>[]) => {
    for (let i = 0; i < rows.length; i += 100) await db.batchInsert(table, rows.slice(i, i + 100), 100);
  };
  for (let start = 0; start < count; start += 1000) {
    const ids = Array.from({ length: Math.min(1000, count - start) }, (_, i) => start + i);
    const account = (n: number) => `acct_seed${String(n).padStart(8, '0')}`;
    await batch(
      'connections',
      ids.map((n) => ({
        id: `conn_seed${String(n).padStart(10, '0')}`,
        account_id: account(n),
        livemode: n % 4 === 0,
        auth_kind: n % 3 === 0 ? 'api_key' : 'oauth',
        install_source: n % 3 === 0 ? 'api_key' : 'marketplace',
        merchant_id: n % 3 === 0 ? `merchant-${n}` : null,
        name: `Merchant ${n}`,
        state: CONNECTION_STATES[n % CONNECTION_STATES.length],
        state_reason: 'seeded',
        state_changed_at: now - n * 1000,
        created_at: now - n * 1000,
        updated_at: now,
      })),
    );
    await batch(
      'backfill_runs',
      ids.flatMap((n) =>
        RESOURCES.map((r) => ({
          connection_id: `conn_seed${String(n).padStart(10, '0')}`,
          resource: r.name,
          created_lt: Math.floor(now / 1000),
          state: 'succeeded',
          objects: 100,
          pages: 1,
          estimated_total: 100,
          started_at: now - 60_000,
          finished_at: now - 30_000,
        })),
      ),
    );
    await batch(
      'event_inbox',
      ids.flatMap((n) =>
        Array.from({ length: eventsEach }, (_, e) => ({
          account_id: account(n),
          event_id: `evt_seed${n}_${e}`,
          type: 'charge.succeeded',
          livemode: n % 4 === 0,
          created: Math.floor(now / 1000) - n - e * 60,
          source: 'poll',
          payload: '{}',
          status: e === 0 && n % 97 === 0 ? 'failed' : 'processed',
          received_at: now - n * 1000,
          processed_at: now - n * 1000 + 500,
        })),
      ),
    );
  }
}

import { RESOURCES } from '../../server/resources/registry.js';
import type { ConnectionStatus } from '../../shared/contracts/connection-status.js';
import { control, createAccount, type DemoAccount } from '../support/emulator.js';
import type { Stack } from '../support/stack.js';

/** Emulator object type of each resource table. */
export const TRUTH_KEYS: Record<string, string> = Object.fromEntries(RESOURCES.map((r) => [r.table, r.objectType]));

/**
 * A merchant of some years, as real accounts look (the emulator's `/generate`): three years of
 * history, sparse at first and dense lately, and bursts of more than a page in one second. The
 * account itself is created now, as `account.created` is the connection time.
 */
export const ESTABLISHED = { shape: 'established', days: 3 * 365, burst: 150, bursts: 2 } as const;

export async function seededAccount(
  stack: Pick<Stack, 'emulator'>,
  payments: number,
  extra: Record<string, unknown> = {},
): Promise<DemoAccount> {
  const account = await createAccount(stack.emulator, { name: `Seeded ${payments}` });
  // One burst past a page, but never most of a small account in one second.
  await control(stack.emulator, 'POST', '/generate', {
    account: account.id,
    payments,
    ...ESTABLISHED,
    burst: Math.min(250, Math.floor(payments / 3)),
    bursts: 1,
    ...extra,
  });
  return account;
}

/** Connects with the account's secret key through the support API, without running the import. */
export async function connectPaused(stack: Stack, apiKey: string): Promise<string> {
  const res = await stack.support('/connections', { method: 'POST', body: JSON.stringify({ name: 'Backfill test', api_key: apiKey }) });
  const { connection } = (await res.json()) as { connection: ConnectionStatus };
  await stack.services.jobs.idle();
  return connection.id;
}

/** A stored column value and Stripe's mapped value compare equal across engines (0/1, bigint strings). */
const same = (stored: unknown, truth: unknown) => {
  const norm = (v: unknown) =>
    v === null || v === undefined
      ? null
      : typeof v === 'boolean'
        ? Number(v)
        : typeof v === 'number'
          ? v
          : /^-?\d+$/.test(String(v))
            ? Number(v)
            : String(v);
  return norm(stored) === norm(truth);
};

/**
 * Every stored row per table against the emulator's ground truth: ids missing, ids that Stripe
 * does not have (extra), ids stored twice, and rows whose columns differ from what Stripe's
 * current object maps to through the same `toRow` (stale).
 */
export async function compareWithTruth(stack: Pick<Stack, 'emulator' | 'database'>, accountId: string, mode: 'test' | 'live' = 'test') {
  const truth = await control<Record<string, ({ id: string; created: number } & Record<string, unknown>)[]>>(
    stack.emulator,
    'GET',
    `/truth?account=${accountId}&mode=${mode}`,
  );
  const report: Record<
    string,
    {
      expected: number;
      stored: number;
      missing: string[];
      extra: string[];
      duplicates: number;
      stale: { id: string; column: string; stored: unknown; stripe: unknown }[];
    }
  > = {};
  for (const r of RESOURCES) {
    const rows = (await stack.database
      .db(r.table)
      .where({ account_id: accountId, livemode: mode === 'live' })
      .select('*')) as Record<string, unknown>[];
    const byId = new Map(rows.map((row) => [String(row.id), row]));
    const expected = new Map(truth[r.objectType]!.map((o) => [o.id, o]));
    const stale: (typeof report)[string]['stale'] = [];
    for (const [id, object] of expected) {
      const row = byId.get(id);
      if (!row) continue;
      for (const [column, value] of Object.entries(r.toRow(object))) {
        if (!same(row[column], value)) stale.push({ id, column, stored: row[column], stripe: value });
      }
    }
    report[r.table] = {
      expected: expected.size,
      stored: byId.size,
      missing: [...expected.keys()].filter((id) => !byId.has(id)),
      extra: [...byId.keys()].filter((id) => !expected.has(id)),
      duplicates: rows.length - byId.size,
      stale,
    };
  }
  return report;
}

/** Missing + extra + duplicated + stale rows over every table of a `compareWithTruth` report. */
export function countDifferences(report: Awaited<ReturnType<typeof compareWithTruth>>): number {
  return Object.values(report).reduce((n, t) => n + t.missing.length + t.extra.length + t.duplicates + t.stale.length, 0);
}

export const requestCount = async (stack: Stack) => {
  const counters = await control<Record<string, number>>(stack.emulator, 'GET', '/requests');
  return Object.entries(counters)
    .filter(([k]) => /^GET \/v1\//.test(k))
    .reduce((s, [, v]) => s + v, 0);
};

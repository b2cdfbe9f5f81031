import { RESOURCES } from '../../server/resources/registry.js';
import type { ConnectionStatus } from '../../shared/contracts/connection-status.js';
import { control, createAccount, type DemoAccount } from '../support/emulator.js';
import type { Stack } from '../support/stack.js';

/** Emulator object type of each resource table. */
export const TRUTH_KEYS: Record<string, string> = Object.fromEntries(RESOURCES.map((r) => [r.table, r.objectType]));

export async function seededAccount(stack: Pick<Stack, 'emulator'>, payments: number, extra: Record<string, unknown> = {}): Promise<DemoAccount> {
  const account = await createAccount(stack.emulator, { name: `Seeded ${payments}` });
  await control(stack.emulator, 'POST', '/generate', { account: account.id, payments, days: 120, burst: 250, ...extra });
  return account;
}

/** Connects with the account's secret key through the support API, without running the import. */
export async function connectPaused(stack: Stack, apiKey: string): Promise<string> {
  const res = await stack.support('/connections', { method: 'POST', body: JSON.stringify({ name: 'Backfill test', api_key: apiKey }) });
  const { connection } = (await res.json()) as { connection: ConnectionStatus };
  await stack.services.jobs.idle();
  return connection.id;
}

/** Every stored id per table, with how often each appears, against the emulator's ground truth. */
export async function compareWithTruth(stack: Pick<Stack, 'emulator' | 'database'>, accountId: string) {
  const truth = await control<Record<string, { id: string }[]>>(stack.emulator, 'GET', `/truth?account=${accountId}&mode=test`);
  const report: Record<string, { expected: number; stored: number; missing: string[]; duplicates: number }> = {};
  for (const r of RESOURCES) {
    const rows = await stack.database.db(r.table).where({ account_id: accountId }).select('id');
    const ids = rows.map((x: { id: string }) => x.id);
    const expected = new Set(truth[r.objectType]!.map((o) => o.id));
    report[r.table] = {
      expected: expected.size,
      stored: new Set(ids).size,
      missing: [...expected].filter((id) => !ids.includes(id)),
      duplicates: ids.length - new Set(ids).size,
    };
  }
  return report;
}

export const requestCount = async (stack: Stack) => {
  const counters = await control<Record<string, number>>(stack.emulator, 'GET', '/requests');
  return Object.entries(counters).filter(([k]) => /^GET \/v1\//.test(k)).reduce((s, [, v]) => s + v, 0);
};

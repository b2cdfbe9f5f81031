import type { Db } from '../db/database.js';
import { readJson } from '../db/rows.js';

/** What a merchant chose in the app's settings view (stored with the connection). */
export interface ConnectionSettings {
  historySince: string | null;
  reportFamilies: string[] | null;
}

export async function connectionSettings(db: Db, connectionId: string): Promise<ConnectionSettings> {
  const row = await db('connections').where({ id: connectionId }).first('settings');
  const stored = readJson<{ history_since?: string | null; report_families?: string[] }>(row?.settings ?? '{}');
  return { historySince: stored.history_since ?? null, reportFamilies: stored.report_families ?? null };
}

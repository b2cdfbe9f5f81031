import type { Db } from '../db/database.js';
import { readJson } from '../db/rows.js';
import type { AppSettings } from '../../shared/contracts/app-api.js';
import { REPORT_FAMILIES } from '../../shared/report-families.js';

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

/** The IANA time zone reports are asked in (UTC unless the merchant chose one). */
export async function reportingTimezone(db: Db, connectionId: string): Promise<string> {
  const row = await db('connections').where({ id: connectionId }).first('reporting_timezone');
  return String(row?.reporting_timezone ?? 'UTC');
}

/** The app's settings view of a connection: time zone, history start, report families (all by default). */
export async function appSettingsOf(db: Db, connectionId: string): Promise<AppSettings> {
  const stored = await connectionSettings(db, connectionId);
  return {
    reporting_timezone: await reportingTimezone(db, connectionId),
    history_since: stored.historySince,
    report_families: stored.reportFamilies ?? REPORT_FAMILIES.map((f) => f.family),
  };
}

/** Stores settings already validated (`appSettings` in shared/contracts/app-api.ts). */
export async function saveAppSettings(db: Db, connectionId: string, settings: AppSettings): Promise<void> {
  await db('connections')
    .where({ id: connectionId })
    .update({
      reporting_timezone: settings.reporting_timezone,
      settings: JSON.stringify({ history_since: settings.history_since, report_families: settings.report_families }),
      updated_at: Date.now(),
    });
}

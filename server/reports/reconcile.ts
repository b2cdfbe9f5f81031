import type { Db } from '../db/database.js';

type Totals = Map<string, { gross: number; fee: number; net: number }>;

const PAYOUT_CATEGORIES = ['payout', 'payout_reversal'];

/**
 * The columns of `balance_change_from_activity.itemized` as Stripe documents them (the versions we
 * know). A report with a column we do not know, or without one we sum, is not reconciled: a renamed
 * amount would otherwise be summed as 0, silently.
 */
export const ITEMIZED_COLUMNS = ['balance_transaction_id', 'created_utc', 'created', 'available_on_utc', 'available_on', 'currency',
  'gross', 'fee', 'net', 'reporting_category', 'source_id', 'description'];
const SUMMED = ['currency', 'gross', 'fee', 'net', 'reporting_category'];

export interface Reconciliation {
  status: 'reconciled' | 'differences' | 'not_reconciled';
  /** Why it could not be reconciled (`not_reconciled`): "column X unknown", "column Y missing". */
  reason?: string;
  checked_at: string;
  groups: number;
  differences: { currency: string; category: string; report: { gross: number; fee: number; net: number }; imported: { gross: number; fee: number; net: number } }[];
}

/**
 * Compares an itemized balance report with the balance transactions we imported for the same
 * interval: gross, fee and net per currency and reporting category, in minor units. Either every
 * group matches ("reconciled") or each mismatching group is named with both sides.
 */
export async function reconcile(db: Db, run: { id: number; accountId: string; intervalStart: number; intervalEnd: number }, columns: string[]): Promise<Reconciliation> {
  const missing = SUMMED.filter((c) => !columns.includes(c));
  const unknown = columns.filter((c) => !ITEMIZED_COLUMNS.includes(c));
  if (missing.length || unknown.length) {
    const reason = [unknown.length ? `column ${unknown.join(', ')} unknown` : '', missing.length ? `column ${missing.join(', ')} missing` : ''].filter(Boolean).join('; ');
    return { status: 'not_reconciled', reason, checked_at: new Date().toISOString(), groups: 0, differences: [] };
  }
  const fromReport: Totals = new Map();
  const reportRows = await db('report_rows').where({ report_run_id: run.id }).groupBy('currency', 'category')
    .select('currency', 'category').sum({ gross: 'gross_minor', fee: 'fee_minor', net: 'net_minor' });
  for (const r of reportRows as Record<string, unknown>[]) fromReport.set(`${String(r.currency)}|${String(r.category)}`, { gross: Number(r.gross), fee: Number(r.fee), net: Number(r.net) });

  const fromImport: Totals = new Map();
  const imported = await db('balance_transactions').where({ account_id: run.accountId })
    .where('created', '>=', run.intervalStart).where('created', '<', run.intervalEnd).whereNotIn('reporting_category', PAYOUT_CATEGORIES)
    .groupBy('currency', 'reporting_category').select('currency', 'reporting_category').sum({ gross: 'amount', fee: 'fee', net: 'net' });
  for (const r of imported as Record<string, unknown>[]) fromImport.set(`${String(r.currency)}|${String(r.reporting_category)}`, { gross: Number(r.gross), fee: Number(r.fee), net: Number(r.net) });

  const zero = { gross: 0, fee: 0, net: 0 };
  const keys = new Set([...fromReport.keys(), ...fromImport.keys()]);
  const differences = [...keys].sort().flatMap((key) => {
    const report = fromReport.get(key) ?? zero;
    const importedTotals = fromImport.get(key) ?? zero;
    if (report.gross === importedTotals.gross && report.fee === importedTotals.fee && report.net === importedTotals.net) return [];
    const [currency, category] = key.split('|') as [string, string];
    return [{ currency, category, report, imported: importedTotals }];
  });
  return { status: differences.length ? 'differences' : 'reconciled', checked_at: new Date().toISOString(), groups: keys.size, differences };
}

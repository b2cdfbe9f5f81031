import type { Db } from '../db/database.js';
import { balanceTransactions } from '../resources/balance-transactions.js';
import { balanceTotals } from '../sync/object-store.js';
import { reportTotals } from './report-download.js';

type Totals = Map<string, { gross: number; fee: number; net: number }>;

const PAYOUT_CATEGORIES = ['payout', 'payout_reversal'];

/**
 * The columns of `balance_change_from_activity.itemized` as Stripe documents them (the versions we
 * know). A report with a column we do not know, or without one we sum, is not reconciled: a renamed
 * amount would otherwise be summed as 0, silently.
 */
const ITEMIZED_COLUMNS = [
  'balance_transaction_id',
  'created_utc',
  'created',
  'available_on_utc',
  'available_on',
  'currency',
  'gross',
  'fee',
  'net',
  'reporting_category',
  'source_id',
  'description',
];
const SUMMED = ['currency', 'gross', 'fee', 'net', 'reporting_category'];

export interface Reconciliation {
  status: 'reconciled' | 'differences' | 'not_reconciled';
  /** Why it could not be reconciled (`not_reconciled`): "column X unknown", "column Y missing". */
  reason?: string;
  checked_at: string;
  groups: number;
  differences: {
    currency: string;
    category: string;
    report: { gross: number; fee: number; net: number };
    imported: { gross: number; fee: number; net: number };
  }[];
}

/**
 * Compares an itemized balance report with the balance transactions we imported for the same
 * interval: gross, fee and net per currency and reporting category, in minor units. Either every
 * group matches ("reconciled") or each mismatching group is named with both sides.
 */
export async function reconcile(
  db: Db,
  run: { id: number; accountId: string; livemode: boolean; intervalStart: number; intervalEnd: number },
  columns: string[],
): Promise<Reconciliation> {
  const missing = SUMMED.filter((c) => !columns.includes(c));
  const unknown = columns.filter((c) => !ITEMIZED_COLUMNS.includes(c));
  if (missing.length || unknown.length) {
    const reason = [
      unknown.length ? `column ${unknown.join(', ')} unknown` : '',
      missing.length ? `column ${missing.join(', ')} missing` : '',
    ]
      .filter(Boolean)
      .join('; ');
    return { status: 'not_reconciled', reason, checked_at: new Date().toISOString(), groups: 0, differences: [] };
  }
  const fromReport: Totals = new Map();
  for (const r of await reportTotals(db, run.id)) fromReport.set(`${r.currency}|${r.category}`, { gross: r.gross, fee: r.fee, net: r.net });
  const fromImport: Totals = new Map();
  const owner = { accountId: run.accountId, livemode: run.livemode };
  for (const r of await balanceTotals(db, balanceTransactions, owner, { gte: run.intervalStart, lt: run.intervalEnd }, PAYOUT_CATEGORIES)) {
    fromImport.set(`${r.currency}|${r.category}`, { gross: r.gross, fee: r.fee, net: r.net });
  }

  const zero = { gross: 0, fee: 0, net: 0 };
  const keys = new Set([...fromReport.keys(), ...fromImport.keys()]);
  const differences = [...keys].sort().flatMap((key) => {
    const report = fromReport.get(key) ?? zero;
    const importedTotals = fromImport.get(key) ?? zero;
    if (report.gross === importedTotals.gross && report.fee === importedTotals.fee && report.net === importedTotals.net) return [];
    const [currency, category] = key.split('|') as [string, string];
    return [{ currency, category, report, imported: importedTotals }];
  });
  return {
    status: differences.length ? 'differences' : 'reconciled',
    checked_at: new Date().toISOString(),
    groups: keys.size,
    differences,
  };
}

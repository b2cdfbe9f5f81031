/**
 * The report families the seed asks for, by group. Versions are never written here: the current
 * one is discovered from `GET /v1/reporting/report_types` at run time.
 */
export const REPORT_FAMILIES = [
  { family: 'balance.summary', group: 'Balance', needsStart: true, reconcile: false },
  { family: 'balance_change_from_activity.itemized', group: 'Balance', needsStart: true, reconcile: true },
  { family: 'ending_balance_reconciliation.itemized', group: 'Balance reconciliation', needsStart: false, reconcile: false },
  { family: 'payouts.itemized', group: 'Payouts', needsStart: true, reconcile: false },
  { family: 'payout_reconciliation.itemized', group: 'Payout reconciliation', needsStart: true, reconcile: false },
] as const;

export type ReportFamily = (typeof REPORT_FAMILIES)[number]['family'];

export const isReportFamily = (value: string): value is ReportFamily => REPORT_FAMILIES.some((f) => f.family === value);

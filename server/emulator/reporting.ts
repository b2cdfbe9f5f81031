import { readFileSync } from 'node:fs';
import { minorToDecimal } from '../../shared/money.js';
import type { StripeObject } from './collection.js';
import { errors, StripeError } from './errors.js';
import type { EventBus } from './events.js';
import * as objects from './objects.js';
import { settledByOf } from './settled.js';
import type { EmulatorState, Mode } from './state.js';

const DAY = 86400;
const PAYOUT_CATEGORIES = new Set(['payout', 'payout_reversal']);

const ITEMIZED = [
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

/** Report families this emulator prepares, with the versions Stripe currently lists. */
export const REPORT_FAMILIES: Record<string, { name: string; versions: number[]; columns: string[]; needsStart: boolean }> = {
  'balance.summary': {
    name: 'Balance summary',
    versions: [1],
    columns: ['category', 'description', 'net_amount', 'currency'],
    needsStart: true,
  },
  'balance_change_from_activity.itemized': {
    name: 'Balance change from activity',
    versions: [1, 2, 3],
    columns: ITEMIZED,
    needsStart: true,
  },
  'ending_balance_reconciliation.itemized': {
    name: 'Ending balance reconciliation',
    versions: [1, 2, 3, 4],
    columns: ITEMIZED,
    needsStart: false,
  },
  'payouts.itemized': {
    name: 'Payouts',
    versions: [1, 2, 3],
    needsStart: true,
    columns: [
      'payout_id',
      'effective_at_utc',
      'effective_at',
      'currency',
      'gross',
      'fee',
      'net',
      'reporting_category',
      'description',
      'payout_expected_arrival_date',
      'payout_status',
    ],
  },
  'payout_reconciliation.itemized': {
    name: 'Payout reconciliation',
    versions: [1, 2, 3, 4, 5],
    needsStart: true,
    columns: [...ITEMIZED, 'automatic_payout_id', 'automatic_payout_effective_at_utc', 'automatic_payout_effective_at'],
  },
};

export interface ReportingOptions {
  /** Override of data_available_end per account:mode (unix seconds). */
  availableEnd: Map<string, number>;
  failNext: number;
  /** The next succeeded runs get this many synthetic itemized rows instead (large-report tests). */
  syntheticRows: number;
  /**
   * Report types Stripe refuses to run for good, with its message: a type only live mode runs, or
   * one the key lacks a permission for. Creating a run answers 400, every time.
   */
  refused: Map<string, string>;
  /** Columns a report type's version adds to its family's (Stripe's newer versions add columns). */
  addedColumns: Map<string, string[]>;
}

/** The time zones Stripe accepts for `parameters[timezone]`: the enum in its OpenAPI definition. */
const REPORT_TIMEZONES = new Set<string>(
  (
    JSON.parse(readFileSync(new URL('./stripe-openapi-2023-08-16-trimmed.json', import.meta.url), 'utf8')) as {
      paths: Record<
        string,
        {
          post: {
            requestBody: {
              content: Record<string, { schema: { properties: { parameters: { properties: { timezone: { enum: string[] } } } } } }>;
            };
          };
        }
      >;
    }
  ).paths['/v1/reporting/report_runs']!.post.requestBody.content['application/x-www-form-urlencoded']!.schema.properties.parameters
    .properties.timezone.enum,
);

const iso = (t: number) => new Date(t * 1000).toISOString().replace('T', ' ').replace('.000Z', '');

/** Reporting API: report types with their data windows, report runs that finish after a delay. */
export class Reporting {
  readonly options: ReportingOptions = {
    availableEnd: new Map(),
    failNext: 0,
    syntheticRows: 0,
    refused: new Map(),
    addedColumns: new Map(),
  };
  readonly files = new Map<string, Buffer>();
  /** Versions offered per family; Stripe adds versions over time (the control API can too). */
  readonly versions = new Map(Object.entries(REPORT_FAMILIES).map(([family, f]) => [family, [...f.versions]]));

  constructor(
    private readonly state: EmulatorState,
    private readonly bus: EventBus,
    private readonly baseUrl: () => string,
  ) {}

  window(account: string, mode: Mode): { start: number; end: number } {
    const txns = this.state.collection(account, mode, 'balance_transaction').entries();
    const first = txns[0]?.object.created ?? this.state.accounts.get(account)!.created ?? this.state.now();
    const end = this.options.availableEnd.get(`${account}:${mode}`) ?? Math.floor(this.state.now() / DAY) * DAY;
    return { start: Math.floor(first / DAY) * DAY, end: Math.max(end, Math.floor(first / DAY) * DAY) };
  }

  types(account: string, mode: Mode): StripeObject[] {
    const { start, end } = this.window(account, mode);
    return Object.entries(REPORT_FAMILIES).flatMap(([family, f]) =>
      this.versions.get(family)!.map((version) =>
        objects.build('reporting.report_type', {
          id: `${family}.${version}`,
          name: f.name,
          version,
          data_available_start: start,
          data_available_end: end,
          default_columns: f.columns,
          livemode: mode === 'live',
          updated: end,
        }),
      ),
    );
  }

  createRun(account: string, mode: Mode, body: Record<string, unknown>): StripeObject {
    const reportType = String(body.report_type ?? '');
    const type = this.types(account, mode).find((t) => t.id === reportType);
    if (!type) throw errors.invalid('report_type', `No such report type: '${reportType}'`, 'resource_missing');
    const family = reportType.replace(/\.\d+$/, '');
    const refusal = this.options.refused.get(reportType) ?? this.options.refused.get(family);
    if (refusal) throw new StripeError(400, { type: 'invalid_request_error', param: 'report_type', message: refusal });
    const params = (body.parameters ?? {}) as Record<string, unknown>;
    const parameters = this.validate(family, params, type);
    const run = objects.build('reporting.report_run', {
      id: this.state.random.id('frr_'),
      created: this.state.now(),
      error: null,
      livemode: mode === 'live',
      parameters,
      report_type: reportType,
      result: null,
      status: 'pending',
      succeeded_at: null,
    });
    this.state.collection(account, mode, 'reporting.report_run').insert(run);
    const timer = setTimeout(() => this.finish(account, mode, run, family), this.state.settings.reportRunDelayMs);
    timer.unref();
    return run;
  }

  private validate(family: string, params: Record<string, unknown>, type: StripeObject): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const int = (name: string, required: boolean) => {
      const raw = params[name];
      if (raw === undefined) {
        if (required) throw errors.invalid(`parameters[${name}]`, `Missing required param: parameters[${name}].`, 'parameter_missing');
        return undefined;
      }
      if (typeof raw !== 'string' || !/^\d+$/.test(raw))
        throw errors.invalid(`parameters[${name}]`, `Invalid integer: ${String(raw)}`, 'parameter_invalid_integer');
      return Number(raw);
    };
    const start = int('interval_start', REPORT_FAMILIES[family]!.needsStart);
    const end = int('interval_end', true)!;
    const availableStart = type.data_available_start as number;
    const availableEnd = type.data_available_end as number;
    // Stripe's parameter text (POST /v1/reporting/report_runs): interval_start "can be any UTC
    // timestamp between 1 second after this report's data_available_start and 1 second before the
    // user specified interval_end"; interval_end "between 1 second after the user specified
    // interval_start and 1 second before this report's last data_available_end". The edges
    // themselves are outside.
    if (start !== undefined && start < availableStart + 1) {
      throw errors.invalid(
        'parameters[interval_start]',
        `parameters[interval_start] must be at least 1 second after data_available_start (${availableStart}).`,
      );
    }
    if (end > availableEnd - 1) {
      throw errors.invalid(
        'parameters[interval_end]',
        `parameters[interval_end] must be at least 1 second before data_available_end (${availableEnd}).`,
      );
    }
    if (start !== undefined && start > end - 1) {
      throw errors.invalid(
        'parameters[interval_start]',
        'parameters[interval_start] must be at least 1 second before parameters[interval_end].',
      );
    }
    if (start !== undefined) out.interval_start = start;
    out.interval_end = end;
    const columns = params.columns;
    if (columns !== undefined) {
      const list = Array.isArray(columns) ? columns.map(String) : [String(columns)];
      const unknown = list.filter((c) => !REPORT_FAMILIES[family]!.columns.includes(c));
      if (unknown.length) throw errors.invalid('parameters[columns]', `Invalid columns: ${unknown.join(', ')}`);
      out.columns = list;
    }
    if (params.timezone !== undefined && !REPORT_TIMEZONES.has(String(params.timezone))) {
      throw errors.invalid(
        'parameters[timezone]',
        `Invalid parameters[timezone]: must be one of the time zones Stripe lists (got '${String(params.timezone)}').`,
      );
    }
    for (const key of ['timezone', 'currency', 'reporting_category', 'payout'])
      if (params[key] !== undefined) out[key] = String(params[key]);
    return out;
  }

  private finish(account: string, mode: Mode, run: StripeObject, family: string): void {
    if (this.options.failNext > 0) {
      this.options.failNext--;
      Object.assign(run, { status: 'failed', error: 'An internal error occurred while preparing the report (emulated).' });
      this.bus.emit(account, mode, 'reporting.report_run.failed', run);
      return;
    }
    const params = run.parameters as { interval_start?: number; interval_end: number; columns?: string[]; currency?: string };
    const added = this.options.addedColumns.get(String(run.report_type));
    const columns = params.columns ?? (added ? [...REPORT_FAMILIES[family]!.columns, ...added] : undefined);
    const csv = this.options.syntheticRows
      ? synthetic(this.options.syntheticRows, family)
      : this.csv(account, mode, family, { ...params, columns });
    const now = this.state.now();
    const file = objects.file({
      id: this.state.random.id('file_'),
      created: now,
      size: csv.length,
      purpose: 'finance_report_run',
      type: 'csv',
      filename: `${family}-${params.interval_end}.csv`,
      baseUrl: this.baseUrl(),
    });
    this.files.set(file.id, csv);
    this.state.collection(account, mode, 'file').insert(file);
    Object.assign(run, { status: 'succeeded', succeeded_at: now, result: file });
    this.bus.emit(account, mode, 'file.created', file);
    this.bus.emit(account, mode, 'reporting.report_run.succeeded', run);
  }

  /** The report's CSV, computed from the account's balance transactions. Amounts in major units. */
  csv(
    account: string,
    mode: Mode,
    family: string,
    p: { interval_start?: number; interval_end: number; columns?: string[]; currency?: string },
  ): Buffer {
    const columns = p.columns ?? REPORT_FAMILIES[family]!.columns;
    const rows = reportRows(this.state, account, mode, family, p.interval_start ?? 0, p.interval_end).filter(
      (r) => !p.currency || r.currency === p.currency,
    );
    const quote = (v: unknown) => {
      const s = v === null || v === undefined ? '' : String(v);
      return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    };
    const lines = [columns.join(','), ...rows.map((r) => columns.map((c) => quote(r[c])).join(','))];
    return Buffer.from(lines.join('\n') + '\n', 'utf8');
  }
}

type Row = Record<string, unknown> & { currency: string };

function itemized(t: StripeObject): Row {
  const c = t.currency as string;
  return {
    balance_transaction_id: t.id,
    created_utc: iso(t.created),
    created: iso(t.created),
    available_on_utc: iso(t.available_on as number),
    available_on: iso(t.available_on as number),
    currency: c,
    gross: minorToDecimal(t.amount as number, c),
    fee: minorToDecimal(t.fee as number, c),
    net: minorToDecimal(t.net as number, c),
    reporting_category: t.reporting_category,
    source_id: t.source,
    description: t.description,
  };
}

function reportRows(state: EmulatorState, account: string, mode: Mode, family: string, start: number, end: number): Row[] {
  const txns = state.collection(account, mode, 'balance_transaction').all();
  const inInterval = txns.filter((t) => t.created >= start && t.created < end);
  const payouts = new Map(
    state
      .collection(account, mode, 'payout')
      .all()
      .map((p) => [p.id, p]),
  );
  const payoutTxns = new Map([...payouts.values()].map((p) => [p.balance_transaction as string, p]));
  switch (family) {
    case 'balance_change_from_activity.itemized':
      return inInterval.filter((t) => !PAYOUT_CATEGORIES.has(t.reporting_category as string)).map(itemized);
    case 'payouts.itemized':
      return inInterval
        .filter((t) => PAYOUT_CATEGORIES.has(t.reporting_category as string))
        .map((t) => {
          const c = t.currency as string;
          const po = payouts.get(t.source as string);
          return {
            payout_id: t.source,
            effective_at_utc: iso(t.created),
            effective_at: iso(t.created),
            currency: c,
            gross: minorToDecimal(-(t.amount as number), c),
            fee: minorToDecimal(-(t.fee as number), c),
            net: minorToDecimal(-(t.net as number), c),
            reporting_category: t.reporting_category,
            description: t.description,
            payout_expected_arrival_date: po ? iso(po.arrival_date as number).slice(0, 10) : '',
            payout_status: po?.status ?? '',
          };
        });
    case 'payout_reconciliation.itemized': {
      const settledIn = new Map<string, StripeObject>();
      for (const t of txns) {
        const po = payoutTxns.get(t.id);
        if (po && po.automatic && t.created >= start && t.created < end) settledIn.set(po.id, po);
      }
      const rows: Row[] = [];
      for (const t of txns) {
        const poId = settlementOf(state, account, mode, t.id);
        const po = poId ? settledIn.get(poId) : undefined;
        if (!po || t.type === 'payout') continue;
        rows.push({
          ...itemized(t),
          automatic_payout_id: po.id,
          automatic_payout_effective_at_utc: iso(po.created),
          automatic_payout_effective_at: iso(po.created),
        });
      }
      return rows;
    }
    case 'ending_balance_reconciliation.itemized':
      return txns
        .filter((t) => t.created < end && t.type !== 'payout' && !settledBefore(state, account, mode, t.id, payouts, end))
        .map(itemized);
    case 'balance.summary':
      return balanceSummary(txns, start, end);
    default:
      throw new Error(`no rows for ${family}`);
  }
}

function settlementOf(state: EmulatorState, account: string, mode: Mode, txnId: string): string | undefined {
  return settledByOf(state, account, mode).get(txnId);
}

function settledBefore(state: EmulatorState, account: string, mode: Mode, txnId: string, payouts: Map<string, StripeObject>, end: number) {
  const poId = settlementOf(state, account, mode, txnId);
  const po = poId ? payouts.get(poId) : undefined;
  return Boolean(po && po.created < end && po.status !== 'failed' && po.status !== 'canceled');
}

function balanceSummary(txns: StripeObject[], start: number, end: number): Row[] {
  const sums = new Map<string, { starting: number; activity: number; payouts: number }>();
  for (const t of txns) {
    if (t.created >= end) continue;
    const c = t.currency as string;
    const s = sums.get(c) ?? { starting: 0, activity: 0, payouts: 0 };
    const net = t.net as number;
    if (t.created < start) s.starting += net;
    else if (PAYOUT_CATEGORIES.has(t.reporting_category as string)) s.payouts += net;
    else s.activity += net;
    sums.set(c, s);
  }
  return [...sums.entries()].flatMap(([currency, s]) => [
    { category: 'starting_balance', description: 'Starting balance', net_amount: minorToDecimal(s.starting, currency), currency },
    { category: 'activity', description: 'Activity', net_amount: minorToDecimal(s.activity, currency), currency },
    { category: 'payouts', description: 'Payouts', net_amount: minorToDecimal(s.payouts, currency), currency },
    {
      category: 'ending_balance',
      description: 'Ending balance',
      net_amount: minorToDecimal(s.starting + s.activity + s.payouts, currency),
      currency,
    },
  ]);
}

/** A large itemized report of made-up rows (amounts consistent per row), built in pieces. */
function synthetic(count: number, family: string): Buffer {
  const columns = REPORT_FAMILIES[family]!.columns;
  const parts: Buffer[] = [Buffer.from(columns.join(',') + '\n')];
  let lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const gross = 1000 + (i % 9000);
    const fee = Math.round(gross * 0.029) + 30;
    const row: Record<string, string> = {
      balance_transaction_id: `txn_synth${i}`,
      created_utc: '2026-01-01 00:00:00',
      created: '2026-01-01 00:00:00',
      available_on_utc: '2026-01-03 00:00:00',
      available_on: '2026-01-03 00:00:00',
      currency: 'usd',
      gross: minorToDecimal(gross, 'usd'),
      fee: minorToDecimal(fee, 'usd'),
      net: minorToDecimal(gross - fee, 'usd'),
      reporting_category: 'charge',
      source_id: `ch_synth${i}`,
      description: `Synthetic row ${i}`,
    };
    lines.push(columns.map((c) => row[c] ?? '').join(','));
    if (lines.length === 10_000) {
      parts.push(Buffer.from(lines.join('\n') + '\n'));
      lines = [];
    }
  }
  if (lines.length) parts.push(Buffer.from(lines.join('\n') + '\n'));
  return Buffer.concat(parts);
}

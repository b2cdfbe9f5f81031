import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type Stripe from 'stripe';
import type { Db } from '../db/database.js';
import { limitedCall } from '../stripe/call-policy.js';
import type { AccountRateLimiter } from '../stripe/rate-limiter.js';
import { decimalToMinor } from '../../shared/money.js';

const BATCH = 500;

type Amount = { decimal: string | null; minor: number | null };

function amount(value: string | undefined, currency: string | undefined): Amount {
  if (value === undefined || value === '' || !currency) return { decimal: null, minor: null };
  return { decimal: value, minor: decimalToMinor(value, currency) };
}

/**
 * Streams a report's CSV from Stripe's files host into `report_rows`: the file is never held in
 * memory (the parser is fed chunks, rows are written in batches), rows are keyed by (run, row
 * number) so a second download stores nothing twice, and amounts keep the exact decimal string
 * next to the integer minor units of their currency.
 */
export async function downloadReport(
  db: Db,
  stripe: Stripe,
  limiter: AccountRateLimiter,
  run: { id: number; accountId: string; fileId: string },
  options: { onChunk?: (bytes: number) => void } = {},
): Promise<{ rows: number; columns: string[] }> {
  const response = (await limitedCall(limiter, 'files', () =>
    stripe.rawRequest('GET', `/v1/files/${run.fileId}/contents`, undefined, {
      apiBase: 'files',
      streaming: true,
    } as Stripe.RawRequestOptions),
  )) as unknown as Readable;
  const parser = parse({ relax_quotes: false, skip_empty_lines: true });
  response.on('data', (chunk: Buffer) => options.onChunk?.(chunk.length));
  response.pipe(parser);

  let columns: string[] | null = null;
  let rowNumber = 0;
  let batch: Record<string, unknown>[] = [];
  const flush = async () => {
    if (!batch.length) return;
    await db('report_rows').insert(batch).onConflict(['report_run_id', 'row_number']).ignore();
    batch = [];
  };
  for await (const record of parser as AsyncIterable<string[]>) {
    if (!columns) {
      columns = record;
      continue;
    }
    const row = Object.fromEntries(columns.map((c, i) => [c, record[i] ?? '']));
    const currency = row.currency || undefined;
    const gross = amount(row.gross, currency);
    const fee = amount(row.fee, currency);
    const net = amount(row.net ?? row.net_amount, currency);
    batch.push({
      report_run_id: run.id,
      row_number: ++rowNumber,
      account_id: run.accountId,
      balance_transaction_id: row.balance_transaction_id || null,
      category: row.reporting_category ?? row.category ?? null,
      currency: currency ?? null,
      gross_decimal: gross.decimal,
      gross_minor: gross.minor,
      fee_decimal: fee.decimal,
      fee_minor: fee.minor,
      net_decimal: net.decimal,
      net_minor: net.minor,
      data: JSON.stringify(row),
    });
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  return { rows: rowNumber, columns: columns ?? [] };
}

/** A downloaded report's gross, fee and net (minor units) per currency and reporting category. */
export async function reportTotals(
  db: Db,
  runId: number,
): Promise<{ currency: string; category: string; gross: number; fee: number; net: number }[]> {
  const rows = await db('report_rows')
    .where({ report_run_id: runId })
    .groupBy('currency', 'category')
    .select('currency', 'category')
    .sum({ gross: 'gross_minor', fee: 'fee_minor', net: 'net_minor' });
  return (rows as Record<string, unknown>[]).map((r) => ({
    currency: String(r.currency),
    category: String(r.category),
    gross: Number(r.gross),
    fee: Number(r.fee),
    net: Number(r.net),
  }));
}

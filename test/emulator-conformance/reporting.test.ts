import type { Readable } from 'node:stream';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decimalToMinor } from '../../shared/money.js';
import type { Emulator } from '../emulator/index.js';
import { control, createAccount, stripeAt, withEmulator, type DemoAccount } from '../support/emulator.js';

/**
 * Polls through the list endpoint: stripe-node turns any response whose top-level `error` is
 * set into a thrown error, so retrieving a *failed* run throws (see the last test).
 */
async function waitFor(stripe: Stripe, id: string): Promise<Stripe.Reporting.ReportRun> {
  for (let i = 0; i < 100; i++) {
    const run = (await stripe.reporting.reportRuns.list({ limit: 20 })).data.find((r) => r.id === id)!;
    if (run.status !== 'pending') return run;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('report run never finished');
}

async function download(stripe: Stripe, fileId: string): Promise<string[][]> {
  const response = (await stripe.rawRequest('GET', `/v1/files/${fileId}/contents`, undefined, {
    apiBase: 'files', streaming: true,
  } as Stripe.RawRequestOptions)) as unknown as Readable;
  let text = '';
  for await (const chunk of response) text += String(chunk);
  return text.trim().split('\n').map((line) => line.split(','));
}

describe('emulator Reporting API', () => {
  let emulator: Emulator;
  let account: DemoAccount;
  let stripe: Stripe;
  let types: Stripe.Reporting.ReportType[];

  beforeAll(async () => {
    emulator = await withEmulator({ settings: { reportRunDelayMs: 30 } });
    account = await createAccount(emulator, { name: 'Reports GmbH' });
    await control(emulator, 'POST', '/generate', { account: account.id, payments: 300, days: 20 });
    stripe = stripeAt(emulator, account.keys.test);
    types = (await stripe.reporting.reportTypes.list()).data;
  });
  afterAll(() => emulator.close());

  it('lists several versions per family with data windows', () => {
    const itemized = types.filter((t) => t.id.startsWith('payout_reconciliation.itemized.')).map((t) => t.version);
    expect(itemized).toEqual([1, 2, 3, 4, 5]);
    for (const t of types) expect(t.data_available_end).toBeGreaterThan(t.data_available_start);
  });

  it('runs a report, then streams a CSV whose totals reconcile with the balance transactions', async () => {
    const type = types.find((t) => t.id === 'balance_change_from_activity.itemized.3')!;
    const params = { interval_start: type.data_available_start, interval_end: type.data_available_end };
    const run = await stripe.reporting.reportRuns.create({ report_type: type.id, parameters: params });
    expect(run.status).toBe('pending');
    const done = await waitFor(stripe, run.id);
    expect(done.status).toBe('succeeded');
    expect(done.result).toMatchObject({ object: 'file', purpose: 'finance_report_run', type: 'csv' });

    const [header, ...rows] = await download(stripe, done.result!.id);
    const col = (name: string) => header!.indexOf(name);
    let reportNet = 0;
    for (const row of rows) reportNet += decimalToMinor(row[col('net')]!, row[col('currency')]!);

    let apiNet = 0;
    let count = 0;
    for await (const t of stripe.balanceTransactions.list({ limit: 100, created: { gte: params.interval_start, lt: params.interval_end } })) {
      if (t.reporting_category === 'payout' || t.reporting_category === 'payout_reversal') continue;
      apiNet += t.net;
      count++;
    }
    expect(rows).toHaveLength(count);
    expect(reportNet).toBe(apiNet);
  });

  it('refuses intervals outside the data window with a 400 naming the parameter', async () => {
    const type = types.find((t) => t.id === 'payouts.itemized.3')!;
    await expect(stripe.reporting.reportRuns.create({
      report_type: type.id, parameters: { interval_start: type.data_available_start, interval_end: type.data_available_end + 86400 },
    })).rejects.toMatchObject({ statusCode: 400, param: 'parameters[interval_end]' });
    await expect(stripe.reporting.reportRuns.create({ report_type: 'payouts.itemized.99', parameters: { interval_end: 1 } }))
      .rejects.toMatchObject({ statusCode: 400, param: 'report_type' });
  });

  it('offers a newer version whose report adds a column, as Stripe versions its report types', async () => {
    // Stripe's report types carry a version in their id (`….itemized.4`); newer ones change columns.
    await control(emulator, 'POST', '/reporting/versions', { family: 'payouts.itemized', version: 9, add_columns: ['payout_new_field'] });
    const listed = (await stripe.reporting.reportTypes.list()).data.find((t) => t.id === 'payouts.itemized.9')!;
    expect(listed).toBeDefined();
    const run = await stripe.reporting.reportRuns.create({ report_type: listed.id, parameters: { interval_start: listed.data_available_start, interval_end: listed.data_available_end } });
    const done = await waitFor(stripe, run.id);
    const [header] = await download(stripe, done.result!.id);
    expect(header).toContain('payout_new_field');
  });

  it('refuses a report type for good when told (a live-only type, a missing permission): 400 on every create', async () => {
    // Stripe's Reporting docs: some report types are available only in live mode, and a key
    // without the report's permission is refused; either way creating a run is an invalid request.
    await control(emulator, 'POST', '/reporting/refuse', { report_type: 'payouts.itemized', message: 'This report type is only available in live mode.' });
    try {
      const type = types.find((t) => t.id === 'payouts.itemized.3')!;
      for (let i = 0; i < 2; i++) {
        await expect(stripe.reporting.reportRuns.create({ report_type: type.id, parameters: { interval_start: type.data_available_start, interval_end: type.data_available_end } }))
          .rejects.toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError', param: 'report_type', message: 'This report type is only available in live mode.' });
      }
    } finally {
      emulator.reporting.options.refused.clear();
    }
  });

  it('fails a run when told, with an error and a reporting.report_run.failed event', async () => {
    await control(emulator, 'POST', '/reporting/fail_next', { count: 1 });
    const type = types.find((t) => t.id === 'balance.summary.1')!;
    const run = await stripe.reporting.reportRuns.create({
      report_type: type.id, parameters: { interval_start: type.data_available_start, interval_end: type.data_available_end },
    });
    const done = await waitFor(stripe, run.id);
    expect(done).toMatchObject({ status: 'failed', result: null });
    expect(done.error).toBeTruthy();
    const events = await stripe.events.list({ type: 'reporting.report_run.failed' });
    expect(events.data.map((e) => (e.data.object as Stripe.Reporting.ReportRun).id)).toEqual([run.id]);
    // The SDK quirk our connector must live with: a 200 whose body has `error` becomes an exception.
    await expect(stripe.reporting.reportRuns.retrieve(run.id)).rejects.toMatchObject({ type: 'StripeOAuthError', statusCode: 200 });
  });
});

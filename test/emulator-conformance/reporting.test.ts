import type { Readable } from 'node:stream';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decimalToMinor } from '../../shared/money.js';
import type { Emulator } from '../../server/emulator/index.js';
import { STRIPE_ERROR_CODES } from '../support/stripe-error-codes.js';
import { control, createAccount, stripeAt, withEmulator, type DemoAccount } from '../support/emulator.js';

/**
 * Polls through the list endpoint: stripe-node turns any response whose top-level `error` is
 * set into a thrown error, so retrieving a *failed* run throws (see the last test).
 */
async function waitFor(stripe: Stripe, id: string): Promise<Stripe.Reporting.ReportRun> {
  for (let i = 0; i < 50; i++) {
    const run = (await stripe.reporting.reportRuns.list({ limit: 20 })).data.find((r) => r.id === id)!;
    if (run.status !== 'pending') return run;
    await new Promise((r) => setTimeout(r, 60));
  }
  throw new Error('report run never finished');
}

/** The widest interval Stripe's parameter text allows: 1 second inside each edge of the window. */
const inside = (t: Stripe.Reporting.ReportType) => ({ interval_start: t.data_available_start + 1, interval_end: t.data_available_end - 1 });

async function download(stripe: Stripe, fileId: string): Promise<string[][]> {
  const response = (await stripe.rawRequest('GET', `/v1/files/${fileId}/contents`, undefined, {
    apiBase: 'files',
    streaming: true,
  } as Stripe.RawRequestOptions)) as unknown as Readable;
  let text = '';
  for await (const chunk of response) text += String(chunk);
  return text
    .trim()
    .split('\n')
    .map((line) => line.split(','));
}

describe('emulator Reporting API', () => {
  let emulator: Emulator;
  let account: DemoAccount;
  let stripe: Stripe;
  let types: Stripe.Reporting.ReportType[];

  beforeAll(async () => {
    // Many quick calls in a row: Stripe's rate limit (test mode 25/s) is not what these tests ask about.
    emulator = await withEmulator({
      settings: { reportRunDelayMs: 30, rateLimits: { enabled: false, test: 25, liveGlobal: 100, liveEndpoint: 25, files: 20 } },
    });
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
    const params = inside(type);
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
    for await (const t of stripe.balanceTransactions.list({
      limit: 100,
      created: { gte: params.interval_start, lt: params.interval_end },
    })) {
      if (t.reporting_category === 'payout' || t.reporting_category === 'payout_reversal') continue;
      apiNet += t.net;
      count++;
    }
    expect(rows).toHaveLength(count);
    expect(reportNet).toBe(apiNet);
  });

  it('refuses intervals outside the data window, and its edges, with a 400 naming the parameter', async () => {
    // POST /v1/reporting/report_runs, parameters.interval_start: "Can be any UTC timestamp between 1
    // second after this report's data_available_start and 1 second before the user specified
    // interval_end"; interval_end: "between 1 second after the user specified interval_start and 1
    // second before this report's last data_available_end" (Stripe's OpenAPI definition).
    const type = types.find((t) => t.id === 'payouts.itemized.3')!;
    const refused = (parameters: Stripe.Reporting.ReportRunCreateParams.Parameters, param: string) =>
      expect(stripe.reporting.reportRuns.create({ report_type: type.id, parameters })).rejects.toMatchObject({ statusCode: 400, param });
    await refused({ ...inside(type), interval_end: type.data_available_end + 86400 }, 'parameters[interval_end]');
    await refused({ ...inside(type), interval_start: type.data_available_start }, 'parameters[interval_start]');
    await refused({ ...inside(type), interval_end: type.data_available_end }, 'parameters[interval_end]');
    await refused(
      { interval_start: type.data_available_start + 10, interval_end: type.data_available_start + 10 },
      'parameters[interval_start]',
    );
    const run = await stripe.reporting.reportRuns.create({ report_type: type.id, parameters: inside(type) });
    expect(run.parameters).toMatchObject(inside(type));
    await expect(
      stripe.reporting.reportRuns.create({ report_type: 'payouts.itemized.99', parameters: { interval_end: 1 } }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'report_type' });
  });

  it('accepts only the time zones Stripe lists (its OpenAPI enum), and answers errors with codes Stripe has', async () => {
    const type = types.find((t) => t.id === 'balance.summary.1')!;
    const run = await stripe.reporting.reportRuns.create({
      report_type: type.id,
      parameters: { ...inside(type), timezone: 'Europe/Berlin' },
    });
    expect(run.parameters.timezone).toBe('Europe/Berlin');
    const err = await stripe.reporting.reportRuns
      .create({ report_type: type.id, parameters: { ...inside(type), timezone: 'Mars/Olympus_Mons' } })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ statusCode: 400, param: 'parameters[timezone]' });
    const codes = [
      err,
      await stripe.charges.list({ limit: 1000 }).catch((e: unknown) => e),
      await stripe.charges.list({ starting_after: 'ch_1', ending_before: 'ch_2' }).catch((e: unknown) => e),
      await stripe.events.list({ type: 'charge.*', types: ['charge.succeeded'] } as Stripe.EventListParams).catch((e: unknown) => e),
      await stripe.charges.list({ bogus: 1 } as Stripe.ChargeListParams).catch((e: unknown) => e),
    ].map((e) => (e as Stripe.errors.StripeError).code);
    for (const code of codes) if (code !== undefined) expect(STRIPE_ERROR_CODES).toContain(code);
    expect(codes.slice(1)).toEqual(['parameter_invalid_integer', 'parameters_exclusive', 'parameters_exclusive', 'parameter_unknown']);
  });

  it('offers a newer version whose report adds a column, as Stripe versions its report types', async () => {
    // Stripe's report types carry a version in their id (`….itemized.4`); newer ones change columns.
    await control(emulator, 'POST', '/reporting/versions', { family: 'payouts.itemized', version: 9, add_columns: ['payout_new_field'] });
    const listed = (await stripe.reporting.reportTypes.list()).data.find((t) => t.id === 'payouts.itemized.9')!;
    expect(listed).toBeDefined();
    const run = await stripe.reporting.reportRuns.create({ report_type: listed.id, parameters: inside(listed) });
    const done = await waitFor(stripe, run.id);
    const [header] = await download(stripe, done.result!.id);
    expect(header).toContain('payout_new_field');
  });

  it('refuses a report type for good when told (a live-only type, a missing permission): 400 on every create', async () => {
    // Stripe's Reporting docs: some report types are available only in live mode, and a key
    // without the report's permission is refused; either way creating a run is an invalid request.
    await control(emulator, 'POST', '/reporting/refuse', {
      report_type: 'payouts.itemized',
      message: 'This report type is only available in live mode.',
    });
    try {
      const type = types.find((t) => t.id === 'payouts.itemized.3')!;
      for (let i = 0; i < 2; i++) {
        await expect(stripe.reporting.reportRuns.create({ report_type: type.id, parameters: inside(type) })).rejects.toMatchObject({
          statusCode: 400,
          type: 'StripeInvalidRequestError',
          param: 'report_type',
          message: 'This report type is only available in live mode.',
        });
      }
    } finally {
      emulator.reporting.options.refused.clear();
    }
  });

  it('fails a run when told, with an error and a reporting.report_run.failed event', async () => {
    await control(emulator, 'POST', '/reporting/fail_next', { count: 1 });
    const type = types.find((t) => t.id === 'balance.summary.1')!;
    const run = await stripe.reporting.reportRuns.create({
      report_type: type.id,
      parameters: inside(type),
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

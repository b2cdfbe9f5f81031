import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionDetail } from '../../shared/contracts/connection-status.js';
import { getConnection } from '../../server/connections/connection-repository.js';
import { control, stripeAt } from '../support/emulator.js';
import { DIALECTS } from '../support/databases.js';
import { startStack, type Stack } from '../support/stack.js';
import { connectPaused, seededAccount } from '../backfill/support.js';

describe.each(DIALECTS)('Stripe reports on %s', (dialect) => {
  let stack: Stack;
  let accountId: string;
  let connectionId: string;
  let key: string;
  const chunks: number[] = [];

  beforeAll(async () => {
    stack = await startStack(dialect, {}, { onReportChunk: (n) => chunks.push(n) });
    // Stripe has moved on since the docs: a newer version than `.3` is offered.
    await control(stack.emulator, 'POST', '/reporting/versions', { family: 'balance_change_from_activity.itemized', version: 4 });
    const account = await seededAccount(stack, 250);
    accountId = account.id;
    key = account.keys.test;
    connectionId = await connectPaused(stack, account.keys.test);
  });
  afterAll(() => stack.close());

  const db = () => stack.database.db;
  const runs = () => db()('report_runs').where({ connection_id: connectionId }).orderBy('id');
  const detail = async () => (await (await stack.support(`/connections/${connectionId}`)).json()) as ConnectionDetail;
  /** Lets Stripe finish, then hears about it the way production does: the events poller. */
  const settle = async () => {
    // The poller reads up to a second ago, so the success events need two rounds to be seen.
    for (let i = 0; i < 2; i++) {
      await new Promise((r) => setTimeout(r, 1200));
      await stack.services.events.poll(connectionId);
      await stack.services.jobs.idle();
    }
  };
  const fileDownloads = async () =>
    (await control<Record<string, number>>(stack.emulator, 'GET', '/requests'))['GET /v1/files/contents'] ?? 0;

  it('schedules the initial runs with the newest versions, inside the data window', async () => {
    const scheduled = await runs();
    expect(scheduled.map((r: { family: string }) => r.family).sort()).toEqual([
      'balance.summary',
      'balance_change_from_activity.itemized',
      'ending_balance_reconciliation.itemized',
      'payout_reconciliation.itemized',
      'payouts.itemized',
    ]);
    const byFamily = Object.fromEntries(scheduled.map((r: { family: string; report_type: string }) => [r.family, r.report_type]));
    expect(byFamily).toMatchObject({
      'balance_change_from_activity.itemized': 'balance_change_from_activity.itemized.4',
      'payout_reconciliation.itemized': 'payout_reconciliation.itemized.5',
    });
    const types = (await stripeAt(stack.emulator, key).reporting.reportTypes.list()).data;
    for (const r of scheduled) {
      const type = types.find((t) => t.id === r.report_type)!;
      // Stripe's parameter text: 1 second after data_available_start, 1 second before data_available_end.
      expect(Number(r.interval_start)).toBe(type.data_available_start + 1);
      expect(Number(r.interval_end)).toBe(type.data_available_end - 1);
      expect(Number(r.interval_end)).toBeGreaterThan(Number(r.interval_start));
    }
    expect(await stack.services.reports.schedule(connectionId)).toEqual([]);
  });

  it('downloads each succeeded run once, even when its success event arrives twice, and reconciles', async () => {
    await settle();
    const done = await runs();
    expect(done.map((r: { status: string }) => r.status)).toEqual(['downloaded', 'downloaded', 'downloaded', 'downloaded', 'downloaded']);
    const activity = done.find((r: { family: string }) => r.family === 'balance_change_from_activity.itemized');
    const stored = await db()('report_rows').where({ report_run_id: activity.id });
    expect(stored.length).toBe(Number(activity.row_count));
    expect(stored.length).toBeGreaterThan(200);
    const row = stored[0];
    expect(Number(row.net_minor)).toBe(Number(row.gross_minor) - Number(row.fee_minor));
    expect(row.net_decimal).toMatch(/^-?\d+\.\d{2}$/);
    expect(JSON.parse(activity.columns)).toContain('balance_transaction_id');

    const downloads = await fileDownloads();
    const events = await stripeAt(stack.emulator, key).events.list({ type: 'reporting.report_run.succeeded', limit: 10 });
    const connection = (await getConnection(db(), connectionId))!;
    for (const e of events.data) await stack.services.reports.onRunEvent(connection, (e.data.object as Stripe.Reporting.ReportRun).id);
    expect(await fileDownloads()).toBe(downloads);
    expect(await db()('report_rows').where({ report_run_id: activity.id })).toHaveLength(stored.length);

    const status = await detail();
    const balance = status.reports.find((r) => r.family === 'balance_change_from_activity.itemized')!;
    expect(balance).toMatchObject({ pending: 0, last_failure: null, reconciliation: { status: 'reconciled', differences: [] } });
    expect(balance.last_interval).not.toBeNull();
  });

  it('names the difference when an imported balance transaction is missing', async () => {
    const activity = await db()('report_runs')
      .where({ connection_id: connectionId, family: 'balance_change_from_activity.itemized' })
      .first();
    const victim = await db()('balance_transactions')
      .where({ account_id: accountId, reporting_category: 'charge' })
      .where('created', '>=', activity.interval_start)
      .where('created', '<', activity.interval_end)
      .first();
    await db()('balance_transactions').where({ account_id: accountId, id: victim.id }).delete();
    const res = await stack.support(`/connections/${connectionId}/reports/run`, {
      method: 'POST',
      body: JSON.stringify({ type: 'balance_change_from_activity.itemized' }),
    });
    expect(res.status).toBe(202);
    await settle();
    const status = await detail();
    const balance = status.reports.find((r) => r.family === 'balance_change_from_activity.itemized')!;
    expect(balance.reconciliation?.status).toBe('differences');
    expect(balance.reconciliation?.differences).toEqual([
      {
        currency: 'usd',
        category: 'charge',
        report: expect.objectContaining({ gross: expect.any(Number) }),
        imported: expect.objectContaining({ gross: expect.any(Number) }),
      },
    ]);
    const [diff] = balance.reconciliation!.differences as {
      report: { gross: number; net: number };
      imported: { gross: number; net: number };
    }[];
    expect(diff!.report.gross - diff!.imported.gross).toBe(Number(victim.amount));
    expect(diff!.report.net - diff!.imported.net).toBe(Number(victim.net));
  });

  it('retries a failed run a bounded number of times, then records the failure', async () => {
    await control(stack.emulator, 'POST', '/reporting/fail_next', { count: 10 });
    const before = (await control<Record<string, number>>(stack.emulator, 'GET', '/requests'))['POST /v1/reporting/report_runs'] ?? 0;
    const [id] = await stack.services.reports.schedule(connectionId, { families: ['payouts.itemized'], force: true });
    for (let i = 0; i < 12; i++) {
      await new Promise((r) => setTimeout(r, 260));
      await db()('report_runs').where({ id }).update({ next_check_at: 0 });
      await stack.services.reports.checkDue();
    }
    const run = await db()('report_runs').where({ id }).first();
    expect(run).toMatchObject({ status: 'failed' });
    expect(Number(run.attempts)).toBe(3);
    expect(run.error).toContain('emulated');
    const after = (await control<Record<string, number>>(stack.emulator, 'GET', '/requests'))['POST /v1/reporting/report_runs'] ?? 0;
    expect(after - before).toBe(3);
    await control(stack.emulator, 'POST', '/reporting/fail_next', { count: 0 });
    const payouts = (await detail()).reports.find((r) => r.family === 'payouts.itemized')!;
    expect(payouts.last_failure).toContain('emulated');
  });

  it('ends a run Stripe refuses for good as refused, with its message, without blocking the other families or asking again', async () => {
    // A report type only live mode runs (or one a permission is missing for): Stripe answers 400 every time.
    await control(stack.emulator, 'POST', '/reporting/refuse', {
      report_type: 'payout_reconciliation.itemized',
      message: 'This report type is only available in live mode.',
    });
    const requests = async () =>
      (await control<Record<string, number>>(stack.emulator, 'GET', '/requests'))['POST /v1/reporting/report_runs'] ?? 0;
    const before = await requests();
    const ids = await stack.services.reports.schedule(connectionId, { force: true });
    expect(ids).toHaveLength(5);
    // Every other family was asked for; the refused one once.
    expect((await requests()) - before).toBe(5);
    const refused = await db()('report_runs').whereIn('id', ids).where({ family: 'payout_reconciliation.itemized' }).first();
    expect(refused).toMatchObject({
      status: 'refused',
      error: 'Stripe refused the report run: This report type is only available in live mode.',
    });
    const others = await db()('report_runs')
      .whereIn('id', ids)
      .whereNot({ family: 'payout_reconciliation.itemized' })
      .select('status', 'stripe_run_id');
    expect(others.every((r: { status: string; stripe_run_id: string | null }) => r.status !== 'refused' && r.stripe_run_id)).toBe(true);
    // Not asked again by the checks or the scheduler; only by hand.
    for (let i = 0; i < 3; i++) await stack.services.reports.checkDue();
    await stack.services.reports.schedule(connectionId);
    expect(
      Number(
        (
          await db()('report_runs')
            .where({ connection_id: connectionId, family: 'payout_reconciliation.itemized', status: 'refused' })
            .count({ n: '*' })
        )[0]!.n,
      ),
    ).toBe(1);
    expect((await requests()) - before).toBe(5);
    expect((await detail()).reports.find((r) => r.family === 'payout_reconciliation.itemized')!.last_failure).toContain(
      'only available in live mode',
    );
    stack.emulator.reporting.options.refused.clear();
    await settle();
  });

  it('does not reconcile a newer version with a column it does not know: says which, never sums it as 0', async () => {
    // Stripe adds versions over time, and newer ones add columns (a renamed amount would read as 0).
    await control(stack.emulator, 'POST', '/reporting/versions', {
      family: 'balance_change_from_activity.itemized',
      version: 5,
      add_columns: ['fee_details'],
    });
    const [id] = await stack.services.reports.schedule(connectionId, { families: ['balance_change_from_activity.itemized'], force: true });
    await settle();
    const run = await db()('report_runs').where({ id }).first();
    expect(run).toMatchObject({ status: 'downloaded', report_type: 'balance_change_from_activity.itemized.5' });
    expect(JSON.parse(run.reconciliation)).toMatchObject({
      status: 'not_reconciled',
      reason: 'column fee_details unknown',
      differences: [],
    });
    const balance = (await detail()).reports.find((r) => r.family === 'balance_change_from_activity.itemized')!;
    expect(balance.reconciliation).toMatchObject({ status: 'not_reconciled', reason: 'column fee_details unknown' });
  });

  it('downloads a run again when the process downloading it died, and leaves a live download alone', async () => {
    const [id] = await stack.services.reports.schedule(connectionId, { families: ['balance_change_from_activity.itemized'], force: true });
    const rowsOf = async () =>
      (await db()('report_rows').where({ report_run_id: id }).select('row_number')).map((r: { row_number: number }) =>
        Number(r.row_number),
      );
    await new Promise((r) => setTimeout(r, 300));
    await db()('report_runs').where({ id }).update({ next_check_at: 0 });
    await stack.services.reports.checkDue();
    const { row_count: total } = await db()('report_runs').where({ id }).first('row_count');
    expect(Number(total)).toBeGreaterThan(10);

    // What a process killed mid-download leaves: the claim taken, part of the rows stored, nobody renewing it.
    await db()('report_rows')
      .where({ report_run_id: id })
      .where('row_number', '>', Math.floor(Number(total) / 2))
      .delete();
    await db()('report_runs')
      .where({ id })
      .update({ status: 'downloading', row_count: null, next_check_at: Date.now() + 60_000 });
    await stack.services.reports.checkDue();
    expect(await db()('report_runs').where({ id }).first()).toMatchObject({ status: 'downloading' });
    expect((await rowsOf()).length).toBeLessThan(Number(total));

    await db()('report_runs')
      .where({ id })
      .update({ next_check_at: Date.now() - 1 });
    await stack.services.reports.checkDue();
    expect(await db()('report_runs').where({ id }).first()).toMatchObject({ status: 'downloaded', row_count: Number(total) });
    const stored = await rowsOf();
    expect(stored).toHaveLength(Number(total));
    expect(new Set(stored).size).toBe(Number(total));
  });

  it('streams a large report into rows without holding the file', async () => {
    await control(stack.emulator, 'POST', '/reporting/synthetic_rows', { count: 30_000 });
    try {
      chunks.length = 0;
      const [id] = await stack.services.reports.schedule(connectionId, {
        families: ['balance_change_from_activity.itemized'],
        force: true,
      });
      await settle();
      const run = await db()('report_runs').where({ id }).first();
      expect(run.status).toBe('downloaded');
      expect(Number(run.row_count)).toBe(30_000);
      expect(chunks.length).toBeGreaterThan(10);
      expect(Math.max(...chunks)).toBeLessThan(run.row_count * 50);
    } finally {
      await control(stack.emulator, 'POST', '/reporting/synthetic_rows', { count: 0 });
    }
  });
});

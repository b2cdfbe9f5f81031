import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionDetail, SupportOverview } from '../../shared/contracts/connection-status.js';
import { DIALECTS } from '../support/databases.js';
import { startStack, type Stack } from '../support/stack.js';
import { connectPaused, seededAccount } from '../backfill/support.js';

/**
 * An import whose pages stopped advancing (its process hung, or lost its way) is flagged in
 * "Needs attention" after a few minutes, and its time left is "unknown", not a countdown from an
 * average that includes the minutes it has stood still.
 */
describe.each(DIALECTS)('a stalled import on %s', (dialect) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(dialect);
  });
  afterAll(() => stack.close());

  const detail = async (id: string) => (await (await stack.support(`/connections/${id}`)).json()) as ConnectionDetail;
  const attention = async (id: string) =>
    ((await (await stack.support('/overview')).json()) as SupportOverview).attention.find((a) => a.id === id);

  it('is flagged after minutes without a page, with time left unknown; a moving one is not', async () => {
    const account = await seededAccount(stack, 60);
    const id = await connectPaused(stack, account.keys.test);
    const db = stack.database.db;
    // As a hung import leaves it: backfilling, the charges run open, its last page ten minutes ago.
    const tenMinutesAgo = Date.now() - 10 * 60_000;
    const run = await db('backfill_runs').where({ connection_id: id, resource: 'charges' }).orderBy('id', 'desc').first('id', 'objects');
    await db('backfill_runs')
      .where({ id: run.id })
      .update({
        state: 'running',
        finished_at: null,
        estimated_total: Number(run.objects) * 2,
        picked_up_at: tenMinutesAgo - 60_000,
        objects_before: 0,
      });
    await db('backfill_segments').where({ run_id: run.id }).update({ updated_at: tenMinutesAgo });
    await db('connections')
      .where({ id })
      .update({ state: 'backfilling', state_changed_at: tenMinutesAgo - 60_000 });

    const stalled = await detail(id);
    const charges = stalled.import.resources.find((r) => r.resource === 'charges')!;
    expect(charges).toMatchObject({ state: 'running', eta_seconds: null, last_progress_at: new Date(tenMinutesAgo).toISOString() });
    expect((await attention(id))?.reasons).toContain('import stalled: no page stored for 10 min');

    // Pages again: no longer flagged, and the time left comes from the pace.
    await db('backfill_segments').where({ run_id: run.id }).update({ updated_at: Date.now() });
    await db('backfill_runs')
      .where({ id: run.id })
      .update({ picked_up_at: Date.now() - 10_000 });
    expect((await attention(id))?.reasons ?? []).not.toContain(expect.stringMatching(/stalled/));
    expect((await detail(id)).import.resources.find((r) => r.resource === 'charges')!.eta_seconds).toBeGreaterThan(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionDetail } from '../../shared/contracts/connection-status.js';
import { DIALECTS } from '../support/databases.js';
import { startStack, type Stack } from '../support/stack.js';
import { connectPaused, seededAccount } from './support.js';

/** The state reason says what this import did, not a total with "(0 objects)" after a resume. */
describe.each(DIALECTS)('what an import says it did on %s', (dialect) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(dialect);
  });
  afterAll(() => stack.close());

  const detail = async (id: string) => (await (await stack.support(`/connections/${id}`)).json()) as ConnectionDetail;
  const act = async (id: string, action: string, body: Record<string, unknown> = {}) => {
    const res = await stack.support(`/connections/${id}/${action}`, { method: 'POST', body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    await stack.services.jobs.idle();
  };

  it('names the first import, a resume with nothing to do, a resync and an interrupted import resumed', async () => {
    const account = await seededAccount(stack, 40);
    const id = await connectPaused(stack, account.keys.test);
    const first = await detail(id);
    const total = first.import.resources.reduce((n, r) => n + r.objects, 0);
    expect(total).toBeGreaterThan(40);
    expect(first.state_reason).toBe(`historical import complete (${total} objects); verified`);

    await act(id, 'pause');
    expect((await detail(id)).state).toBe('paused');
    await act(id, 'resume');
    expect((await detail(id)).state_reason).toBe(`resumed by support; nothing new (${total} stored); verified`);

    await act(id, 'resync', { resource: 'charges' });
    const charges = (await detail(id)).import.resources.find((r) => r.resource === 'charges')!.objects;
    expect((await detail(id)).state_reason).toBe(
      `resync of charges requested by support; ${charges} objects imported again (${total} stored); verified`,
    );

    // An import that stopped part way (its run holds 5 of the payment intents): resumed, it says what it added.
    const db = stack.database.db;
    const intents = (await detail(id)).import.resources.find((r) => r.resource === 'payment_intents')!.objects;
    expect(intents).toBeGreaterThan(5);
    const run = await db('backfill_runs').where({ connection_id: id, resource: 'payment_intents' }).orderBy('id', 'desc').first('id');
    await db('backfill_runs').where({ id: run.id }).update({ state: 'running', objects: 5, finished_at: null, verification: null });
    await db('backfill_segments').where({ run_id: run.id, state: 'done' }).update({ state: 'pending', cursor: null, objects: 0, pages: 0 });
    await db('payment_intents').where({ account_id: account.id }).delete();
    await act(id, 'pause');
    await act(id, 'resume');
    const resumed = await detail(id);
    expect(resumed.state_reason).toMatch(
      new RegExp(
        `^resumed by support; ${intents} new objects \\(\\d+ stored\\); (verified|verification found \\d+ missing and stored them)$`,
      ),
    );
  }, 90_000);
});

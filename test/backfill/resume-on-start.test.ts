import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../shared/contracts/connection-status.js';
import { createServices } from '../../server/services.js';
import { DIALECTS } from '../support/databases.js';
import { capturedLogger } from '../support/log-capture.js';
import { startStack, type Stack } from '../support/stack.js';
import { compareWithTruth, connectPaused, seededAccount } from './support.js';

describe.each(DIALECTS)('restart during an import on %s', (dialect) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(dialect);
  });
  afterAll(() => stack.close());

  it('picks up an import the previous process never finished', async () => {
    const account = await seededAccount(stack, 200);
    // The process "dies" right after the connection is stored: its queued import is gone with it.
    await stack.services.jobs.stop();
    const res = await stack.support('/connections', {
      method: 'POST',
      body: JSON.stringify({ name: 'Restarted', api_key: account.keys.test }),
    });
    const { connection } = (await res.json()) as { connection: ConnectionStatus };
    expect(connection.state).toBe('backfilling');

    const next = createServices(stack.config, stack.database.db, capturedLogger().logger, { backoffBaseMs: 20 });
    await next.startBackground();
    try {
      await next.jobs.idle(60_000);
      const row = await stack.database.db('connections').where({ id: connection.id }).first('state');
      expect(row.state).toBe('live');
      for (const [table, r] of Object.entries(await compareWithTruth(stack, account.id))) {
        expect({ table, missing: r.missing.length, duplicates: r.duplicates }).toEqual({ table, missing: 0, duplicates: 0 });
      }
    } finally {
      await next.jobs.stop();
    }
  }, 90_000);
});

describe.each(DIALECTS)('restart after an upgrade on %s', (dialect) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(dialect);
  });
  afterAll(() => stack.close());

  it('verifies at start what an earlier release verified by trusting account.created, and finds the history it missed', async () => {
    const account = await seededAccount(stack, 300);
    const id = await connectPaused(stack, account.keys.test);
    const db = stack.database.db;
    // As an import of the old release left it: nothing older than a year ago, "verified" by its own range.
    const floor = Math.floor(Date.now() / 1000) - 365 * 86400;
    const hidden =
      (await db('charges').where({ account_id: account.id }).where('created', '<', floor).delete()) +
      (await db('payment_intents').where({ account_id: account.id }).where('created', '<', floor).delete());
    expect(hidden).toBeGreaterThan(10);
    await db('backfill_runs')
      .where({ connection_id: id })
      .update({ verification: JSON.stringify({ verified_at: 'x', expected: 1, stored: 1, missing_count: 0, missing: [], repaired: 0 }) });
    await stack.services.jobs.stop();

    const next = createServices(stack.config, db, capturedLogger().logger, { backoffBaseMs: 20 });
    await next.startBackground();
    try {
      await next.jobs.idle(60_000);
      for (const [table, r] of Object.entries(await compareWithTruth(stack, account.id))) {
        expect({ table, missing: r.missing.length }).toEqual({ table, missing: 0 });
      }
      const row = await db('connections').where({ id }).first('state', 'state_reason');
      expect(row.state).toBe('live');
      expect(row.state_reason).toMatch(new RegExp(`verification found ${hidden} missing and stored them$`));
    } finally {
      await next.jobs.stop();
    }
  }, 90_000);
});

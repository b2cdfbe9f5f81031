import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionDetail, ConnectionStatus } from '../../shared/contracts/connection-status.js';
import { supportActionRoutes } from '../../server/http/routes/support-actions.js';
import { supportConnectionRoutes } from '../../server/http/routes/support-connections.js';
import { control, createAccount } from '../support/emulator.js';
import { DIALECTS } from '../support/databases.js';
import { routeTable } from '../support/routes.js';
import { startStack, type Stack } from '../support/stack.js';

describe.each(DIALECTS)('support API on %s', (dialect) => {
  let stack: Stack;
  let ids: Record<string, string>;

  beforeAll(async () => {
    stack = await startStack(dialect);
    ids = {};
    for (const name of ['Alpha Books', 'Beta Bikes', 'Gamma Games']) {
      const account = await createAccount(stack.emulator, { name });
      const res = await stack.support('/connections', {
        method: 'POST',
        body: JSON.stringify({ name, api_key: account.keys.test, merchant_id: name.split(' ')[0]!.toLowerCase() }),
      });
      ids[name] = ((await res.json()) as { connection: ConnectionStatus }).connection.id;
    }
    const restricted = await createAccount(stack.emulator, { name: 'Delta' });
    const { key } = await control<{ key: string }>(stack.emulator, 'POST', '/keys', {
      account: restricted.id,
      mode: 'test',
      permissions: ['connected_account_read', 'charge_read'],
    });
    const res = await stack.support('/connections', { method: 'POST', body: JSON.stringify({ name: 'Delta Deli', api_key: key }) });
    ids['Delta Deli'] = ((await res.json()) as { connection: ConnectionStatus }).connection.id;
    await stack.services.jobs.idle();
  });
  afterAll(() => stack.close());

  it('answers 401 on every route without a valid token', async () => {
    const deps = {
      config: stack.config,
      status: stack.services.status,
      connections: stack.services.connections,
      limiters: stack.services.limiters,
    };
    const table = [
      ...routeTable(supportConnectionRoutes(deps)),
      ...routeTable(supportActionRoutes({ ...deps, reports: stack.services.reports })),
    ];
    expect(table.length).toBeGreaterThanOrEqual(8);
    for (const { method, path } of table) {
      const url = `${stack.url}/api/support${path.replace(':id', ids['Alpha Books']!).replace(':action', 'pause')}`;
      for (const headers of [
        {},
        { Authorization: 'Bearer wrong-token-of-sufficient-length-000' },
        { Authorization: 'Basic abc' },
      ] as Record<string, string>[]) {
        const res = await fetch(url, { method, headers });
        expect(res.status, `${method} ${path}`).toBe(401);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
      }
    }
    expect((await fetch(`${stack.url}/api/support/nothing-here`)).status).toBe(401);
    expect((await stack.support(`/connections/${ids['Alpha Books']}`)).status).toBe(200);
  });

  it('filters by state and mode, and searches by account, name or merchant id', async () => {
    const list = async (q: string) =>
      (await (await stack.support(`/connections${q}`)).json()) as { data: ConnectionStatus[]; total: number };
    expect((await list('')).total).toBe(4);
    expect((await list('?state=permission_missing')).data.map((c) => c.name)).toEqual(['Delta Deli']);
    expect((await list('?state=live')).total).toBe(3);
    expect((await list('?mode=live')).total).toBe(0);
    expect((await list('?q=beta')).data.map((c) => c.name)).toEqual(['Beta Bikes']);
    expect((await list('?q=gamma')).data.map((c) => c.merchant_id)).toEqual(['gamma']);
    const alpha = (await list('?q=alpha')).data[0]!;
    expect((await list(`?q=${alpha.account_id}`)).data.map((c) => c.id)).toEqual([alpha.id]);
    expect((await list('?limit=2&offset=2')).data).toHaveLength(2);
    const bad = await stack.support('/connections?state=sleeping');
    expect(bad.status).toBe(400);
    expect((await stack.support('/connections?limit=0')).status).toBe(400);
  });

  it('runs actions that change state, record why, and refuse what the state does not allow', async () => {
    const id = ids['Beta Bikes']!;
    const act = async (action: string) => {
      const res = await stack.support(`/connections/${id}/${action}`, { method: 'POST' });
      return { status: res.status, body: (await res.json()) as ConnectionDetail & { error?: { code: string; message: string } } };
    };
    expect((await act('pause')).body).toMatchObject({ state: 'paused', actions: ['resume', 'disconnect'] });
    const refused = await act('pause');
    expect(refused.status).toBe(409);
    expect(refused.body.error!.message).toBe('Cannot pause a connection that is paused');
    expect((await act('resume')).body.state).toBe('backfilling');
    await stack.services.jobs.idle();
    expect((await act('resync')).body.state).toBe('backfilling');
    await stack.services.jobs.idle();
    const disconnected = await act('disconnect');
    expect(disconnected.body).toMatchObject({ state: 'disconnected', connected: false, actions: [] });
    // The resync's import went live, then verification said so again (the resume had nothing to verify).
    expect(disconnected.body.history.slice(0, 7).map((h) => h.to)).toEqual([
      'disconnected',
      'live',
      'live',
      'backfilling',
      'live',
      'backfilling',
      'paused',
    ]);
    expect(disconnected.body.history[0]!.reason).toContain('credentials deleted');
    expect(await stack.database.db('connection_secrets').where({ connection_id: id })).toEqual([]);
    expect((await act('explode')).status).toBe(400);
    expect((await stack.support('/connections/conn_doesnotexist000/pause', { method: 'POST' })).status).toBe(404);
    expect((await stack.support('/connections/not-an-id')).status).toBe(400);
  });
});

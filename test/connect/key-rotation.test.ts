import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretStore } from '../../server/connections/secret-store.js';
import { SecretBox } from '../../server/crypto/secret-box.js';
import { createServices } from '../../server/services.js';
import type { ConnectionStatus } from '../../shared/contracts/connection-status.js';
import { capturedLogger } from '../support/log-capture.js';
import { createAccount } from '../support/emulator.js';
import { DIALECTS } from '../support/databases.js';
import { install, startStack, type Stack } from '../support/stack.js';
import { testConfig } from '../support/config.js';

/**
 * ENCRYPTION_KEYS rotation as the README tells operators to do it: put a new key first, restart;
 * every process that works jobs re-encrypts what is still under an older key, after which the
 * old key can be removed and everything still opens.
 */
describe.each(DIALECTS)('encryption key rotation on %s', (dialect) => {
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack(dialect, { ENCRYPTION_KEYS: oldKey });
  });
  afterAll(() => stack.close());

  it('re-encrypts every secret with the new key, after which the old key can go', async () => {
    const merchant = await createAccount(stack.emulator, { name: 'Rotating Keys' });
    await stack.support('/connections', {
      method: 'POST',
      body: JSON.stringify({
        name: 'Keyed',
        api_key: merchant.keys.test,
        merchant_id: 'rotating',
        webhook_secret: 'whsec_rotationTestSecret',
      }),
    });
    const oauthMerchant = await createAccount(stack.emulator, { name: 'Rotating OAuth' });
    expect((await install(stack, oauthMerchant.id)).status).toBe(200);
    await stack.services.jobs.idle();
    const secrets = () => stack.database.db('connection_secrets').select('connection_id', 'kind', 'key_id', 'version');
    const before = await secrets();
    expect(before.length).toBeGreaterThanOrEqual(4);
    const plaintexts = new Map<string, string>();
    for (const row of before)
      plaintexts.set(`${row.connection_id}:${row.kind}`, (await stack.services.secrets.get(row.connection_id, row.kind))!.value);
    // A secret sealed with a key nobody configured any more stays put and is reported, not retried forever.
    const lost = new SecretStore(stack.database.db, new SecretBox([randomBytes(32).toString('base64')]));
    const connection = before[0]!.connection_id;
    await lost.put(connection, 'access_token', 'sealed-with-a-forgotten-key');

    const rotated = createServices(
      testConfig({ DATABASE_URL: stack.database.url, ENCRYPTION_KEYS: `${newKey},${oldKey}` }),
      stack.database.db,
      capturedLogger().logger,
    );
    const first = await rotated.secrets.reencryptAll(2);
    expect(first).toEqual({
      reencrypted: before.length - (before.some((r) => r.connection_id === connection && r.kind === 'access_token') ? 1 : 0),
      remaining: 1,
    });
    expect(await rotated.secrets.reencryptAll()).toEqual({ reencrypted: 0, remaining: 1 });
    await stack.database.db('connection_secrets').where({ connection_id: connection, kind: 'access_token' }).delete();
    plaintexts.delete(`${connection}:access_token`);

    // Only the new key now: everything still opens, to the same values.
    const onlyNew = new SecretStore(stack.database.db, new SecretBox([newKey]));
    for (const [key, value] of plaintexts) {
      const [id, kind] = key.split(':') as [string, 'api_key'];
      expect((await onlyNew.get(id, kind))!.value).toBe(value);
    }
    expect(new Set((await secrets()).map((r) => r.key_id))).toEqual(new Set([new SecretBox([newKey]).currentKeyId]));
    const list = (await (await stack.support('/connections')).json()) as { data: ConnectionStatus[] };
    expect(list.data).toHaveLength(2);
    await rotated.jobs.stop();
  });
});

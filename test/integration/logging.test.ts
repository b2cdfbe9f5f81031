import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createApp } from '../../server/app.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { testConfig } from '../support/config.js';
import { capturedLogger } from '../support/log-capture.js';

const SECRETS = {
  secretKey: 'sk_test_51HxYzAbCdEf0123456789',
  restrictedKey: 'rk_live_51HxYzAbCdEf0123456789',
  webhookSecret: 'whsec_Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5',
  appSecret: 'absec_0123456789abcdef',
  refreshToken: 'rt_AbCdEfGhIjKlMnOpQrStUv',
  opaqueAccessToken: 'an-opaque-token-without-a-prefix-42',
};

describe('secrets never reach the log', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
  });
  afterAll(async () => database.drop());

  it('scrubs a request carrying tokens in the query, headers and cookies', async () => {
    const { logger, output } = capturedLogger('debug');
    const app = createApp({ config: testConfig(), db: database.db, logger });
    await request(app)
      .get(`/oauth/callback?code=ac_AbCdEfGhIjKlMnOpQrSt&api_key=${SECRETS.secretKey}`)
      .set('Authorization', `Bearer ${SECRETS.opaqueAccessToken}`)
      .set('Stripe-Signature', `t=1,v1=${'a'.repeat(64)}`)
      .set('Cookie', `pi_session=${SECRETS.refreshToken}`)
      .expect(503);
    const log = output();
    expect(log).toContain('"url":"/oauth/callback?code=[redacted]&api_key=[redacted]"');
    for (const secret of [...Object.values(SECRETS), 'ac_AbCdEfGhIjKlMnOpQrSt']) expect(log).not.toContain(secret);
  });

  it('scrubs log calls: message, fields by name and by shape, and errors', () => {
    const { logger, output } = capturedLogger();
    logger.info(
      { apiKey: SECRETS.restrictedKey, nested: { refresh_token: SECRETS.opaqueAccessToken, note: `saw ${SECRETS.appSecret}` } },
      `exchanging with ${SECRETS.secretKey}`,
    );
    logger.error({ err: new Error(`signature failed for ${SECRETS.webhookSecret}`) }, 'webhook');
    logger.warn(`refresh failed: ${SECRETS.refreshToken}`);
    const log = output();
    expect(log).toContain('[redacted]');
    expect(log).toContain('signature failed for');
    for (const secret of Object.values(SECRETS)) expect(log).not.toContain(secret);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createApp } from '../../server/app.js';
import { createServices } from '../../server/services.js';
import { createDb } from '../../server/db/database.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { testConfig } from '../support/config.js';
import { capturedLogger } from '../support/log-capture.js';
import { listen } from '../support/http.js';

describe.each(DIALECTS)('operator endpoints on %s', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });
  afterAll(async () => database.drop());

  it('serve health, readiness and metrics over a real port', async () => {
    const app = createApp({ config: testConfig(), db: database.db, logger: capturedLogger().logger });
    const server = await listen(app);
    try {
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
      expect(health.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(await (await fetch(`${server.url}/readyz`)).json()).toEqual({ status: 'ready' });
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toContain('pi_http_requests_total{method="GET",route="/healthz",status="2xx"} 1');
      expect(metrics).toContain('pi_process_cpu_user_seconds_total');
    } finally {
      await server.close();
    }
  });

  it('exports job metrics: queue depth, wait and run time by type, outcomes, event lag', async () => {
    const services = createServices(testConfig(), database.db, capturedLogger().logger);
    const app = createApp({ config: testConfig(), db: database.db, logger: capturedLogger().logger, services });
    services.jobs.register('events.poll', async () => undefined);
    await services.jobs.enqueue('events.poll', { connectionId: 'conn_x' }, { key: 'conn_x' });
    await services.jobs.idle();
    const metrics = (await request(app).get('/metrics').expect(200)).text;
    expect(metrics).toContain('pi_job_queue_depth{job="events.poll"} 0');
    expect(metrics).toContain('pi_job_wait_seconds_count{job="events.poll"} 1');
    expect(metrics).toContain('pi_jobs_total{job="events.poll",outcome="completed"} 1');
    expect(metrics).toContain('pi_event_lag_seconds_bucket');
    await services.jobs.stop();
  });

  it('reports not ready with 503 when the database is gone', async () => {
    const url = dialect === 'sqlite' ? database.url : database.url.replace(/:\d+\//, ':1/');
    const broken = createDb(url);
    if (dialect === 'sqlite') await broken.destroy();
    const app = createApp({ config: testConfig(), db: broken, logger: capturedLogger().logger });
    const res = await request(app).get('/readyz').expect(503);
    expect(res.body.error).toMatchObject({ code: 'unavailable', message: 'database unreachable' });
    await broken.destroy();
  });
});

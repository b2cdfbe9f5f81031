import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { errorMiddleware, notFoundHandler } from '../../server/http/error-middleware.js';
import { ConflictError, ValidationError } from '../../server/errors.js';
import { requestContext } from '../../server/http/request-context.js';
import { createMetrics } from '../../server/metrics.js';
import { capturedLogger } from '../support/log-capture.js';

function appThatThrows() {
  const { logger, output } = capturedLogger();
  const app = express();
  app.use(requestContext(logger, createMetrics()));
  app.use(express.json());
  app.get('/unknown', async () => {
    throw new Error('db password is hunter2 at 10.0.0.5 with sk_test_leakyKey123');
  });
  app.get('/invalid', () => {
    throw new ValidationError('mode must be test or live');
  });
  app.get('/conflict', () => {
    throw new ConflictError('already connected');
  });
  app.get('/zod', () => {
    z.object({ days: z.number().int() }).parse({ days: 'seven' });
  });
  app.post('/json', (_req, res) => res.json({ ok: true }));
  app.use(notFoundHandler);
  app.use(errorMiddleware(logger));
  return { app, output };
}

describe('error middleware', () => {
  it('answers unknown errors 500 internal_error without leaking the message, and logs them redacted', async () => {
    const { app, output } = appThatThrows();
    const res = await request(app).get('/unknown').set('X-Request-Id', 'req-abcdef123').expect(500);
    expect(res.body).toEqual({ error: { code: 'internal_error', message: 'Internal server error', request_id: 'req-abcdef123' } });
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
    expect(output()).toContain('hunter2');
    expect(output()).toContain('req-abcdef123');
    expect(output()).not.toContain('sk_test_leakyKey123');
  });

  it.each([
    ['/invalid', 400, 'invalid_request', 'mode must be test or live'],
    ['/conflict', 409, 'conflict', 'already connected'],
    ['/zod', 400, 'invalid_request', 'days: Invalid input: expected number, received string'],
    ['/missing', 404, 'not_found', 'No route for GET /missing'],
  ])('shapes %s as %i %s', async (path, status, code, message) => {
    const res = await request(appThatThrows().app).get(path).expect(status);
    expect(res.body.error).toMatchObject({ code, message });
  });

  it('answers malformed JSON with 400 invalid_json', async () => {
    const res = await request(appThatThrows().app).post('/json').set('Content-Type', 'application/json').send('{"a":').expect(400);
    expect(res.body.error.code).toBe('invalid_json');
  });
});

import type { RequestHandler } from 'express';
import { randomUUID } from 'node:crypto';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../logging/logger.js';
import { redactString, redactValue } from '../logging/redact.js';
import type { Metrics } from '../metrics.js';

const INCOMING_ID = /^[A-Za-z0-9._-]{8,128}$/;

/** Request ids (reused from `X-Request-Id` when well-formed), access logs and HTTP metrics. */
export function requestContext(logger: Logger, metrics: Metrics): RequestHandler[] {
  const http = pinoHttp({
    logger,
    genReqId: (req, res) => {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && INCOMING_ID.test(incoming) ? incoming : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    // pino applies serializers after the logger's redacting formatter, so they redact too.
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactString(req.url) }),
      err: (err: unknown) => redactValue(err),
      // The wrapped response reports null before headers are flushed; the raw one knows.
      res: (res: { raw?: { statusCode: number }; statusCode: number | null }) => ({
        statusCode: res.raw?.statusCode ?? res.statusCode,
      }),
    },
  });
  const timing: RequestHandler = (req, res, next) => {
    const stop = metrics.httpDuration.startTimer();
    res.on('finish', () => {
      // The matched route pattern, never the raw path: ids in paths would explode cardinality.
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      stop({ method: req.method, route });
      metrics.httpRequests.inc({ method: req.method, route, status: `${Math.floor(res.statusCode / 100)}xx` });
    });
    next();
  };
  return [http, timing];
}

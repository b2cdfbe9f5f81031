import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { AppError, NotFoundError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import { redactString } from '../logging/redact.js';

/** Body-parser failures carry a status and a type; they are the client's fault. */
function isClientBodyError(err: unknown): err is { status: number; type: string } {
  const candidate = err as { status?: unknown; type?: unknown } | null;
  return typeof candidate?.type === 'string' && typeof candidate.status === 'number' && candidate.status >= 400 && candidate.status < 500;
}

/** Errors from Express's own parts (static files, routing) that say they are the client's: `http-errors`. */
function isClientHttpError(err: unknown): err is { status: number } {
  const candidate = err as { status?: unknown; expose?: unknown } | null;
  return candidate?.expose === true && typeof candidate.status === 'number' && candidate.status >= 400 && candidate.status < 500;
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new NotFoundError(`No route for ${req.method} ${req.path}`));
};

/** The only place errors become HTTP responses. */
export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const requestId = String(req.id ?? '');
    let status = 500;
    let body: { code: string; message: string; details?: unknown };
    if (err instanceof AppError) {
      status = err.status;
      body = { code: err.code, message: redactString(err.message), ...(err.details ? { details: err.details } : {}) };
    } else if (err instanceof ZodError) {
      status = 400;
      body = {
        code: 'invalid_request',
        message: err.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
      };
    } else if (isClientBodyError(err)) {
      status = err.status;
      body = { code: err.type === 'entity.parse.failed' ? 'invalid_json' : 'invalid_body', message: 'The request body could not be read' };
    } else if (isClientHttpError(err)) {
      status = err.status;
      body =
        status === 404
          ? { code: 'not_found', message: `Nothing at ${req.path}` }
          : { code: 'invalid_request', message: 'The request could not be served' };
    } else {
      body = { code: 'internal_error', message: 'Internal server error' };
    }
    if (status >= 500) logger.error({ err, requestId, path: req.path }, 'request failed');
    else logger.info({ requestId, code: body.code, path: req.path }, 'request rejected');
    if (res.headersSent) return;
    res.status(status).json({ error: { ...body, request_id: requestId } });
  };
}

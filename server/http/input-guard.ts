import type { RequestHandler } from 'express';
import { ValidationError } from '../errors.js';

/** NUL and other control characters: PostgreSQL text cannot hold NUL, and no parameter of ours needs any. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * Query strings and paths as every route expects them: each parameter once, as a plain string,
 * without control characters. Anything else is the client's mistake, answered 400 before any
 * route (or database) sees it.
 */
export const inputGuard: RequestHandler = (req, _res, next) => {
  let path: string;
  try {
    path = decodeURIComponent(req.path);
  } catch {
    return next(new ValidationError('The path is not valid percent-encoding'));
  }
  if (CONTROL.test(path)) return next(new ValidationError('The path contains control characters'));
  for (const [name, value] of Object.entries(req.query)) {
    if (typeof value !== 'string')
      return next(new ValidationError(`Query parameter "${name.slice(0, 40)}" must be given once, as plain text`));
    if (CONTROL.test(value) || CONTROL.test(name))
      return next(new ValidationError(`Query parameter "${name.slice(0, 40)}" contains control characters`));
  }
  next();
};

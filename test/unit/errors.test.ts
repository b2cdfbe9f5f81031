import { describe, expect, it } from 'vitest';
import * as errors from '../../server/errors.js';
import { ERROR_CODES } from '../../shared/contracts/errors.js';

/** The error family: every class raises a code from the closed list, with a client or server status. */
describe('error family', () => {
  const samples: errors.AppError[] = [
    new errors.ValidationError('x'),
    new errors.UnauthorizedError(),
    new errors.ForbiddenError(),
    new errors.NotFoundError(),
    new errors.ConflictError('x'),
    new errors.UnavailableError(),
    new errors.SignatureError('x'),
    new errors.InvalidEventError('x'),
    new errors.NotConnectedError('https://x'),
    new errors.TooManyFailuresError(3),
    new errors.ReauthorizationRequiredError('x'),
    new errors.UninstalledError('conn_x'),
    new errors.RefreshBusyError(),
  ];

  it('covers every class in server/errors.ts', () => {
    const classes = Object.values(errors).filter((v) => typeof v === 'function' && v !== errors.AppError);
    expect(classes.length).toBe(samples.length);
    for (const c of classes)
      expect(
        samples.some((s) => s.constructor === c),
        (c as { name: string }).name,
      ).toBe(true);
  });

  it.each(samples.map((e) => [e.name, e] as const))('%s has a listed code and an HTTP status', (_name, e) => {
    expect(Object.keys(ERROR_CODES)).toContain(e.code);
    expect(e.status).toBeGreaterThanOrEqual(400);
    expect(e.status).toBeLessThan(600);
    expect(e).toBeInstanceOf(errors.AppError);
  });
});

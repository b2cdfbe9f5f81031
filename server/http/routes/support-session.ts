import express, { Router, type Response } from 'express';
import type { Config } from '../../config.js';
import { UnauthorizedError } from '../../errors.js';
import { SESSION_TTL_MS, type SupportSession, type SupportSessions } from '../../support/session-store.js';
import { supportLoginBody } from '../../../shared/contracts/support-api.js';
import type { FailureLimiter } from '../failure-limiter.js';
import { isSupportToken, SESSION_COOKIE, sessionOf, supportAuth } from '../support-auth.js';

/** `/api/support/session`: the console's login (POST), its CSRF token (GET) and logout (DELETE). */
export function supportSessionRoutes(deps: { config: Config; sessions: SupportSessions; failures: FailureLimiter }): Router {
  const { config, sessions, failures } = deps;
  const router = Router();
  const cookie = { httpOnly: true, sameSite: 'strict', secure: config.publicUrl.startsWith('https:'), path: '/' } as const;
  const noStore = (res: Response) => res.set('Cache-Control', 'no-store');

  router.post('/session', express.json({ limit: '4kb' }), async (req, res) => {
    failures.check(req, res);
    const { token } = supportLoginBody.parse(req.body ?? {});
    if (!isSupportToken(config.supportTokens, token)) {
      failures.failed(req);
      throw new UnauthorizedError('That support token is not valid');
    }
    const previous = await sessionOf(req, sessions);
    if (previous) await sessions.destroy(previous.id);
    const session = await sessions.create();
    res.cookie(SESSION_COOKIE, session.id, { ...cookie, maxAge: SESSION_TTL_MS });
    noStore(res)
      .status(201)
      .json({ csrf_token: session.csrfToken, expires_at: new Date(session.expiresAt).toISOString() });
  });

  // supportAuth leaves the cookie's session in res.locals.
  const current = (res: Response) => res.locals.supportSession as SupportSession & { id: string };

  router.get('/session', supportAuth([], sessions, failures), (_req, res) => {
    const session = current(res);
    noStore(res).json({ csrf_token: session.csrfToken, expires_at: new Date(session.expiresAt).toISOString() });
  });

  router.delete('/session', supportAuth([], sessions, failures), async (_req, res) => {
    await sessions.destroy(current(res).id);
    res.clearCookie(SESSION_COOKIE, cookie);
    res.status(204).end();
  });
  return router;
}

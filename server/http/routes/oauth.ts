import { Router, type Request, type Response, type NextFunction } from 'express';
import { Passport } from 'passport';
import { z } from 'zod';
import { ENVIRONMENTS, modeOf, type Config, type Environment } from '../../config.js';
import type { Connection } from '../../connections/connection-repository.js';
import type { Logger } from '../../logging/logger.js';
import type { InstallService } from '../../oauth/install-service.js';
import type { OAuthStateStore } from '../../oauth/state-store.js';
import { createStripeAppsStrategy } from '../../oauth/stripe-apps-strategy.js';
import { OAuthTokenError } from '../../oauth/token-client.js';
import { dashboardUrl, sendPage } from '../pages.js';

const STATE_PROBLEMS = {
  unknown: 'This install link is not one we issued.',
  used: 'This install link was already used.',
  expired: 'This install link expired (they last ten minutes).',
  mode: 'This install link belongs to the other mode.',
} as const;

const modeQuery = z.object({ mode: z.enum(['test', 'live', 'sandbox']).default('test') });

/** Stripe Apps OAuth: the install redirect and the callback Stripe sends the merchant back to. */
export function oauthRoutes(deps: { config: Config; states: OAuthStateStore; installs: InstallService; logger: Logger }): Router {
  const router = Router();
  const passport = new Passport();
  for (const mode of ENVIRONMENTS) passport.use(createStripeAppsStrategy(mode, deps));
  const configured = (mode: Environment) => Boolean(deps.config.stripe[mode].clientId && deps.config.stripe[mode].secretKey);

  const success = (res: Response, c: Connection) => {
    const mode = modeOf(c.livemode);
    const where = c.environment === 'sandbox' ? 'in a Stripe sandbox' : `in ${mode} mode`;
    sendPage(
      res,
      200,
      'Connected',
      [
        `${c.name ?? c.accountId} (${c.accountId}) is connected ${where}.`,
        'Your payment history is being imported; you can follow it in the app in your Stripe Dashboard.',
      ],
      { href: dashboardUrl(mode), text: 'Back to the Stripe Dashboard' },
    );
  };
  const failed = (res: Response, err: unknown, next: NextFunction) => {
    const code = (err as { code?: string }).code ?? (err instanceof OAuthTokenError ? err.error : undefined);
    if (code === 'not_configured') {
      return sendPage(res, 503, 'Not available', ['Connecting accounts is not configured on this server.']);
    }
    if (code === 'invalid_grant') {
      return sendPage(res, 400, 'This install link no longer works', [
        'Stripe did not accept the authorization code: it was already used or has expired. Start the installation again.',
      ]);
    }
    next(err);
  };

  router.get('/oauth/install', (req, res, next) => {
    const parsed = modeQuery.safeParse(req.query);
    if (!parsed.success) return sendPage(res, 400, 'Unknown mode', ['The mode must be test, live or sandbox.']);
    const { mode } = parsed.data;
    if (!configured(mode)) {
      return sendPage(res, 503, 'Not available', [
        `Connecting ${mode === 'sandbox' ? 'Stripe sandboxes' : `in ${mode} mode`} is not configured on this server.`,
      ]);
    }
    passport.authenticate(`stripe-apps-${mode}`, { session: false })(req, res, next);
  });

  router.get('/oauth/callback', async (req: Request, res: Response, next: NextFunction) => {
    const q = req.query as Record<string, string | undefined>;
    if (q.error) {
      if (q.state) await deps.states.consume(q.state);
      if (q.error === 'access_denied') {
        return sendPage(res, 200, 'Installation cancelled', ['Nothing was connected. You can install the app again at any time.']);
      }
      return sendPage(res, 400, 'Stripe could not complete the installation', [String(q.error_description ?? q.error)]);
    }
    if (!q.code) return sendPage(res, 400, 'Missing authorization code', ['Stripe did not send an authorization code.']);
    try {
      if (!q.state) {
        const hint = q.livemode === 'true' ? 'live' : q.livemode === 'false' ? 'test' : undefined;
        return success(res, await deps.installs.marketplace(q.code, hint));
      }
      const check = await deps.states.check(q.state);
      if (!check.ok)
        return sendPage(res, 400, 'This install link no longer works', [STATE_PROBLEMS[check.reason], 'Start the installation again.']);
      passport.authenticate(
        `stripe-apps-${check.mode}`,
        { session: false },
        (err: unknown, connection: Connection | false, info?: { message?: keyof typeof STATE_PROBLEMS }) => {
          if (err) return failed(res, err, next);
          if (!connection) {
            return sendPage(res, 400, 'This install link no longer works', [
              STATE_PROBLEMS[info?.message ?? 'unknown'] ?? STATE_PROBLEMS.unknown,
            ]);
          }
          success(res, connection);
        },
      )(req, res, next);
    } catch (err) {
      failed(res, err, next);
    }
  });
  return router;
}

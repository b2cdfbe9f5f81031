import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import express, { Router, type Response } from 'express';
import type { SupportSessions } from '../../support/session-store.js';
import { NotFoundError } from '../../errors.js';
import { sendPage } from '../pages.js';
import { sessionOf } from '../support-auth.js';

// The console's bundle loads only its own files; nothing may frame it.
const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

/**
 * `/support`: the support console, a Vite-built React app in `consoleDir`. The login page and
 * the static bundle are public (they hold no data); every other page needs a session.
 */
export function supportConsoleRoutes(deps: { sessions: SupportSessions; consoleDir: string }): Router {
  const router = Router();
  let indexHtml: string | null = null;

  const sendIndex = async (res: Response) => {
    indexHtml ??= await readFile(join(deps.consoleDir, 'index.html'), 'utf8').catch(() => null);
    if (indexHtml === null) {
      return sendPage(res, 503, 'The support console is not built', [
        'This server was started without the console\'s bundle. Run "npm run build" (npm start does it for you), then restart.',
      ]);
    }
    res
      .status(200)
      .type('html')
      .set({
        'Cache-Control': 'no-store',
        'Content-Security-Policy': CONSOLE_CSP,
        'X-Frame-Options': 'DENY',
        'Referrer-Policy': 'no-referrer',
        'X-Content-Type-Options': 'nosniff',
      })
      .send(indexHtml);
  };

  router.use(
    '/support/assets',
    express.static(join(deps.consoleDir, 'assets'), { index: false, immutable: true, maxAge: '365d' }),
    (req, _res, next) => {
      next(new NotFoundError(`The console has no asset ${req.path}`));
    },
  );
  router.get('/support/login', (_req, res) => sendIndex(res));
  router.get(['/support', '/support/{*page}'], async (req, res) => {
    if (!(await sessionOf(req, deps.sessions))) return res.redirect(302, `/support/login?next=${encodeURIComponent(req.originalUrl)}`);
    await sendIndex(res);
  });
  return router;
}

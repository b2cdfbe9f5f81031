import express, { Router } from 'express';
import type { EmulatorContext } from './context.js';
import { OAuthError } from './errors.js';
import type { Environment } from './state.js';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function redirectWith(uri: string, params: Record<string, string | undefined>): string {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

/**
 * The Marketplace side of Stripe Apps OAuth: an authorize page with Approve and Deny, the
 * Marketplace-started install that redirects without `state`, and the token endpoint.
 */
export function oauthRoutes(ctx: EmulatorContext): Router {
  const router = Router();
  const { oauth, state } = ctx;

  const authorizePage: express.RequestHandler = (req, res) => {
    const clientId = String(req.query.client_id ?? '');
    const mode = oauth.environmentOfClient(clientId);
    const redirectUri = String(req.query.redirect_uri ?? oauth.app.redirectUris[0] ?? '');
    if (!mode)
      return void res
        .status(400)
        .type('html')
        .send(`<h1>Unknown client_id</h1><p>${escape(clientId)}</p>`);
    if (oauth.app.redirectUris.length && !oauth.app.redirectUris.includes(redirectUri)) {
      return void res
        .status(400)
        .type('html')
        .send(`<h1>Invalid redirect_uri</h1><p>${escape(redirectUri)} is not allowed.</p>`);
    }
    const accounts = [...state.accounts.values()].filter((a) => !a.platform);
    const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escape(value)}">`;
    const stateField = req.query.state !== undefined ? hidden('state', String(req.query.state)) : '';
    const options = accounts.map((a) => `<option value="${a.id}">${escape(a.name)} (${a.id})</option>`).join('');
    res.type('html').send(`<!doctype html><html><head><title>Install ${escape(oauth.app.name)}</title></head><body>
<h1>Install ${escape(oauth.app.name)} (${mode === 'sandbox' ? 'into a sandbox' : `${mode} mode`})</h1>
<p>This emulates the Stripe Marketplace. The app asks for: ${oauth.app.permissions.map(escape).join(', ')}.</p>
<form method="post" action="/oauth/v2/authorize">
${hidden('client_id', clientId)}${hidden('redirect_uri', redirectUri)}${stateField}
<label>Account <select name="account">${options}</select></label>
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form></body></html>`);
  };
  router.get('/oauth/v2/authorize', authorizePage);
  router.get('/oauth/v2/:channel/authorize', authorizePage);

  router.post('/oauth/v2/authorize', express.urlencoded({ extended: false }), (req, res) => {
    const body = req.body as Record<string, string>;
    const mode = oauth.environmentOfClient(body.client_id ?? '');
    if (!mode || !body.redirect_uri) return void res.status(400).send('bad request');
    if (body.decision !== 'approve') {
      return void res.redirect(
        302,
        redirectWith(body.redirect_uri, {
          error: 'access_denied',
          error_description: 'The user denied your request',
          state: body.state,
        }),
      );
    }
    const account = body.account ?? '';
    if (!state.accounts.has(account)) return void res.status(400).send('unknown account');
    res.redirect(
      302,
      redirectWith(body.redirect_uri, {
        code: oauth.approve(account, mode),
        state: body.state,
        user_id: `usr_${account.slice(5)}`,
        account_id: account,
      }),
    );
  });

  router.post('/v1/oauth/token', express.urlencoded({ extended: true }), (req, res) => {
    const header = req.headers.authorization ?? '';
    const [scheme, value] = header.split(' ');
    const key =
      scheme?.toLowerCase() === 'basic' && value
        ? Buffer.from(value, 'base64').toString('utf8').split(':')[0]
        : scheme?.toLowerCase() === 'bearer'
          ? value
          : undefined;
    ctx.traffic.count('oauth', 'POST', '/v1/oauth/token');
    try {
      res.json(oauth.token(key, (req.body ?? {}) as Record<string, unknown>));
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      res.status(err.status).json({ error: err.error, error_description: err.description });
    }
  });

  return router;
}

/** A Marketplace-started install: the redirect Stripe sends with a code and no `state`. */
export function marketplaceInstallUrl(ctx: EmulatorContext, account: string, mode: Environment): string {
  const redirectUri = ctx.oauth.app.redirectUris[0];
  if (!redirectUri) throw new Error('the emulated app has no redirect URI');
  return redirectWith(redirectUri, {
    code: ctx.oauth.approve(account, mode),
    user_id: `usr_${account.slice(5)}`,
    account_id: account,
    stripe_user_id: account,
  });
}

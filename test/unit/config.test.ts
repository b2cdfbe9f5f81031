import { describe, expect, it } from 'vitest';
import { ConfigError, configVariables, parseConfig } from '../../server/config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.map((p) => p.variable);
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('defaults to sandbox mode on SQLite with no configuration', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      sandbox: true,
      databaseUrl: 'sqlite:./data/pi.sqlite',
      port: 4242,
      publicUrl: 'http://localhost:4242',
      jobBackend: 'embedded',
    });
    expect(config.stripe.test.authorizeUrl).toBe('https://marketplace.stripe.com/oauth/v2/authorize');
    // Sandbox mode never reaches real Stripe: without a base it points at the local emulator.
    expect(config.stripeApiBase).toBe('http://127.0.0.1:12111');
    expect(parseConfig({ STRIPE_SECRET_KEY_TEST: 'sk_test_abc' }).stripeApiBase).toBeUndefined();
  });

  it('names every offending variable at once', () => {
    const variables = problemsOf({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://nope',
      STRIPE_SECRET_KEY_TEST: 'sk_live_wrongmode',
      STRIPE_WEBHOOK_SECRETS: 'whsec_ok,not-a-secret',
      JOB_BACKEND: 'redis',
    });
    expect(variables.sort()).toEqual(['DATABASE_URL', 'JOB_BACKEND', 'PORT', 'STRIPE_SECRET_KEY_TEST', 'STRIPE_WEBHOOK_SECRETS']);
  });

  it('never falls back to sandbox defaults in production', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual(
      expect.arrayContaining([
        'STRIPE_SECRET_KEY_LIVE',
        'PUBLIC_URL',
        'ENCRYPTION_KEYS',
        'SUPPORT_TOKENS',
        'STRIPE_APP_SIGNING_SECRETS',
        'STRIPE_WEBHOOK_SECRETS',
      ]),
    );
    expect(problemsOf({ NODE_ENV: 'production', SANDBOX: '1', STRIPE_SECRET_KEY_LIVE: 'sk_live_abc' })).toContain('SANDBOX');
  });

  it('accepts a complete production configuration', () => {
    const config = parseConfig({
      NODE_ENV: 'production',
      PUBLIC_URL: 'https://pi.example.com/',
      STRIPE_SECRET_KEY_LIVE: 'sk_live_abc',
      STRIPE_APP_CLIENT_ID_LIVE: 'ca_abc',
      STRIPE_APP_SIGNING_SECRETS: 'absec_one, absec_two',
      STRIPE_WEBHOOK_SECRETS: 'whsec_abc',
      ENCRYPTION_KEYS: Buffer.alloc(32, 1).toString('base64'),
      SUPPORT_TOKENS: 'a-support-token-of-enough-length',
      DATABASE_URL: 'postgres://pi@db/pi',
      JOB_BACKEND: 'pg-boss',
    });
    expect(config.sandbox).toBe(false);
    expect(config.publicUrl).toBe('https://pi.example.com');
    expect(config.appSigningSecrets).toEqual(['absec_one', 'absec_two']);
  });

  it("takes the managed sandbox as a third credential set: key, client id, its endpoint's webhook secrets", () => {
    const config = parseConfig({
      STRIPE_SECRET_KEY_TEST: 'sk_test_main',
      STRIPE_SECRET_KEY_SANDBOX: 'sk_test_managed',
      STRIPE_APP_CLIENT_ID_SANDBOX: 'ca_sandbox',
      STRIPE_WEBHOOK_SECRETS: 'whsec_app',
      STRIPE_WEBHOOK_SECRETS_SANDBOX: 'whsec_sandboxapp',
    });
    expect(config.stripe.sandbox).toMatchObject({ secretKey: 'sk_test_managed', clientId: 'ca_sandbox' });
    expect(config.webhookSecrets).toEqual(['whsec_app', 'whsec_sandboxapp']);
    expect(problemsOf({ STRIPE_SECRET_KEY_SANDBOX: 'sk_live_nope' })).toEqual(['STRIPE_SECRET_KEY_SANDBOX']);
    expect(problemsOf({ NODE_ENV: 'production', STRIPE_SECRET_KEY_SANDBOX: 'sk_test_managed' })).toContain('STRIPE_APP_CLIENT_ID_SANDBOX');
  });

  it('turns sandbox off when platform keys are given, and refuses real Stripe in sandbox', () => {
    expect(parseConfig({ STRIPE_SECRET_KEY_TEST: 'sk_test_abc' }).sandbox).toBe(false);
    expect(problemsOf({ SANDBOX: '1', STRIPE_API_BASE: 'https://api.stripe.com' })).toEqual(['STRIPE_API_BASE']);
  });

  it('refuses job settings that would leave work undone', () => {
    expect(problemsOf({ JOB_BACKEND: 'pg-boss', DATABASE_URL: 'sqlite:./x.sqlite' })).toEqual(['JOB_BACKEND']);
    expect(problemsOf({ RUN_JOBS: '0' })).toEqual(['RUN_JOBS']);
    expect(parseConfig({ RUN_JOBS: '0', JOB_BACKEND: 'pg-boss', DATABASE_URL: 'postgres://pi@db/pi' })).toMatchObject({
      runJobs: false,
      jobBackend: 'pg-boss',
      jobLeaseSeconds: 120,
    });
  });

  it('documents every variable', () => {
    expect(configVariables.length).toBeGreaterThanOrEqual(18);
    for (const v of configVariables) expect(v.description, v.name).not.toBe('');
  });
});

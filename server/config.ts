import { z } from 'zod';

/** Thrown when the environment cannot be turned into a valid configuration. */
export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super('Invalid configuration: ' + problems.map((p) => `${p.variable}: ${p.message}`).join('; '));
    this.name = 'ConfigError';
  }
}

const list = (pattern: RegExp, example: string) =>
  z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(pattern, `each entry must look like ${example}`)));

const optionalKey = (pattern: RegExp, example: string) => z.string().trim().regex(pattern, `must look like ${example}`).optional();

const url = z.url({ protocol: /^https?$/ });

const flag = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');

/** Every variable of DESIGN.md §4, as the process receives it. */
const envSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'])
    .default('development')
    .describe('Node environment; production forbids sandbox defaults'),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, 'must be sqlite:<file> or postgres://…')
    .default('sqlite:./data/pi.sqlite')
    .describe('sqlite:<file> or postgres://… connection string'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4242).describe('HTTP listen port'),
  PUBLIC_URL: url.optional().describe('externally visible base URL used in redirects and webhook URLs'),
  STRIPE_API_BASE: url.optional().describe('base URL of the Stripe API (the emulator in sandbox and tests)'),
  STRIPE_SECRET_KEY_TEST: optionalKey(/^(sk|rk)_test_\w+$/, 'sk_test_…').describe(
    'platform secret key used for test-mode OAuth token exchanges',
  ),
  STRIPE_SECRET_KEY_LIVE: optionalKey(/^(sk|rk)_live_\w+$/, 'sk_live_…').describe(
    'platform secret key used for live-mode OAuth token exchanges',
  ),
  STRIPE_APP_CLIENT_ID_TEST: optionalKey(/^ca_\w+$/, 'ca_…').describe('Stripe App OAuth client id, test mode'),
  STRIPE_APP_CLIENT_ID_LIVE: optionalKey(/^ca_\w+$/, 'ca_…').describe('Stripe App OAuth client id, live mode'),
  STRIPE_APP_AUTHORIZE_URL_TEST: url.optional().describe('authorize URL override for test mode (channel links)'),
  STRIPE_APP_AUTHORIZE_URL_LIVE: url.optional().describe('authorize URL override for live mode'),
  STRIPE_SECRET_KEY_SANDBOX: optionalKey(/^(sk|rk)_test_\w+$/, 'sk_test_…').describe(
    "secret key of the app's managed sandbox, used for the token exchanges of installs into a Stripe sandbox",
  ),
  STRIPE_APP_CLIENT_ID_SANDBOX: optionalKey(/^ca_\w+$/, 'ca_…').describe('Stripe App OAuth client id of the managed sandbox'),
  STRIPE_APP_AUTHORIZE_URL_SANDBOX: url.optional().describe('authorize URL override for the managed sandbox'),
  STRIPE_WEBHOOK_SECRETS_SANDBOX: list(/^whsec_[\w+/=]+$/, 'whsec_…').describe(
    "signing secrets of the managed sandbox's app webhook endpoint, comma-separated",
  ),
  STRIPE_APP_SIGNING_SECRETS: list(/^absec_\w+$/, 'absec_…').describe(
    'app signing secrets verifying UI extension requests, comma-separated for rotation',
  ),
  STRIPE_WEBHOOK_SECRETS: list(/^whsec_[\w+/=]+$/, 'whsec_…').describe(
    'signing secrets of the app/Connect webhook endpoint, comma-separated',
  ),
  ENCRYPTION_KEYS: list(/^[A-Za-z0-9+/]{43}=$/, 'a base64-encoded 32-byte key').describe(
    'AES-256-GCM keys, base64; the first encrypts, all decrypt',
  ),
  SUPPORT_TOKENS: list(/^\S{24,}$/, 'a token of at least 24 characters').describe('bearer tokens for the support API and console'),
  JOB_BACKEND: z.enum(['embedded', 'pg-boss']).default('embedded').describe('where background jobs run'),
  RUN_JOBS: flag
    .default(true)
    .describe('0 makes this API process only queue jobs (pg-boss), leaving the work to `pi-stripe worker` processes'),
  JOB_LEASE_SECONDS: z.coerce
    .number()
    .int()
    .min(5)
    .max(3600)
    .default(120)
    .describe('pg-boss: how long a running job may go without a heartbeat before another worker takes it over'),
  EVENT_POLL_MAX_SECONDS: z.coerce
    .number()
    .min(1)
    .max(300)
    .default(15)
    .describe('longest wait between two event polls of a quiet connection (busy ones are polled every 2 s)'),
  EVENT_POLL_LAG_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(60)
    .default(5)
    .describe("newest seconds of events a poll leaves for the next one (Stripe's event list is eventually consistent)"),
  STRIPE_RATE_SHARE: z.coerce
    .number()
    .gt(0)
    .max(1)
    .default(0.9)
    .describe("share of Stripe's per-account rate limits this installation uses (the rest is the merchant's)"),
  SANDBOX: flag.optional().describe('1 runs against the bundled Stripe emulator with demo data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino log level'),
});

export type Mode = 'test' | 'live';

/** The mode of a connection or an object: the one spelling of `livemode ? 'live' : 'test'`. */
export const modeOf = (livemode: boolean): Mode => (livemode ? 'live' : 'test');
/** Where an OAuth install lives: test or live mode, or the app's managed sandbox (installs into a
 *  Stripe sandbox, whose data is test-mode data with its own platform credentials). */
export type Environment = Mode | 'sandbox';
export const ENVIRONMENTS: readonly Environment[] = ['test', 'live', 'sandbox'];

export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  databaseUrl: string;
  port: number;
  publicUrl: string;
  stripeApiBase: string | undefined;
  stripe: Record<Environment, { secretKey?: string; clientId?: string; authorizeUrl: string }>;
  appSigningSecrets: string[];
  webhookSecrets: string[];
  encryptionKeys: string[];
  supportTokens: string[];
  jobBackend: 'embedded' | 'pg-boss';
  runJobs: boolean;
  jobLeaseSeconds: number;
  stripeRateShare: number;
  eventPollMaxSeconds: number;
  eventPollLagSeconds: number;
  sandbox: boolean;
  logLevel: string;
}

const MARKETPLACE_AUTHORIZE_URL = 'https://marketplace.stripe.com/oauth/v2/authorize';
/** Where `pi-stripe emulator` listens by default; sandbox mode never talks to real Stripe. */
export const SANDBOX_EMULATOR_URL = 'http://127.0.0.1:12111';

/** Documentation of every variable, for the README and `--help`. */
export const configVariables = Object.entries(envSchema.shape).map(([name, field]) => ({
  name,
  description: field.description ?? '',
}));

/**
 * Parses the environment once. Pure: sandbox secrets that must be generated are left empty
 * and filled by `sandbox/secrets.ts`, which is the only place allowed to touch the disk.
 */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? 'environment'), message: i.message })));
  }
  const e = parsed.data;
  const hasStripeKeys = Boolean(e.STRIPE_SECRET_KEY_TEST || e.STRIPE_SECRET_KEY_LIVE);
  const production = e.NODE_ENV === 'production';
  const sandbox = e.SANDBOX ?? (!hasStripeKeys && !production);
  const problems = production ? productionProblems(e, sandbox) : [];
  if (sandbox && e.STRIPE_API_BASE && /(^|\.)stripe\.com$/i.test(new URL(e.STRIPE_API_BASE).hostname)) {
    problems.push({ variable: 'STRIPE_API_BASE', message: 'sandbox mode never talks to real Stripe; point it at the emulator' });
  }
  if (!e.RUN_JOBS && e.JOB_BACKEND !== 'pg-boss') {
    problems.push({
      variable: 'RUN_JOBS',
      message: 'embedded jobs run in this process; RUN_JOBS=0 needs JOB_BACKEND=pg-boss and worker processes',
    });
  }
  if (e.JOB_BACKEND === 'pg-boss' && !e.DATABASE_URL.startsWith('postgres')) {
    problems.push({ variable: 'JOB_BACKEND', message: 'pg-boss keeps its jobs in PostgreSQL; set DATABASE_URL to postgres://…' });
  }
  if (problems.length) throw new ConfigError(problems);

  return {
    nodeEnv: e.NODE_ENV,
    databaseUrl: e.DATABASE_URL,
    port: e.PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    stripeApiBase: e.STRIPE_API_BASE ?? (sandbox ? SANDBOX_EMULATOR_URL : undefined),
    stripe: {
      test: {
        secretKey: e.STRIPE_SECRET_KEY_TEST,
        clientId: e.STRIPE_APP_CLIENT_ID_TEST,
        authorizeUrl: e.STRIPE_APP_AUTHORIZE_URL_TEST ?? MARKETPLACE_AUTHORIZE_URL,
      },
      live: {
        secretKey: e.STRIPE_SECRET_KEY_LIVE,
        clientId: e.STRIPE_APP_CLIENT_ID_LIVE,
        authorizeUrl: e.STRIPE_APP_AUTHORIZE_URL_LIVE ?? MARKETPLACE_AUTHORIZE_URL,
      },
      sandbox: {
        secretKey: e.STRIPE_SECRET_KEY_SANDBOX,
        clientId: e.STRIPE_APP_CLIENT_ID_SANDBOX,
        authorizeUrl: e.STRIPE_APP_AUTHORIZE_URL_SANDBOX ?? MARKETPLACE_AUTHORIZE_URL,
      },
    },
    appSigningSecrets: e.STRIPE_APP_SIGNING_SECRETS,
    // One app webhook route: an event signed by the managed sandbox's endpoint is as good.
    webhookSecrets: [...e.STRIPE_WEBHOOK_SECRETS, ...e.STRIPE_WEBHOOK_SECRETS_SANDBOX],
    encryptionKeys: e.ENCRYPTION_KEYS,
    supportTokens: e.SUPPORT_TOKENS,
    jobBackend: e.JOB_BACKEND,
    runJobs: e.RUN_JOBS,
    jobLeaseSeconds: e.JOB_LEASE_SECONDS,
    stripeRateShare: e.STRIPE_RATE_SHARE,
    eventPollMaxSeconds: e.EVENT_POLL_MAX_SECONDS,
    eventPollLagSeconds: e.EVENT_POLL_LAG_SECONDS,
    sandbox,
    logLevel: e.LOG_LEVEL,
  };
}

type Env = z.infer<typeof envSchema>;

/** In production every secret must be given explicitly: no generated keys, no sandbox. */
function productionProblems(e: Env, sandbox: boolean) {
  const problems: { variable: string; message: string }[] = [];
  const need = (variable: string, ok: boolean, message = 'is required when NODE_ENV=production') => {
    if (!ok) problems.push({ variable, message });
  };
  need('SANDBOX', !sandbox, 'sandbox mode is not allowed when NODE_ENV=production');
  need(
    'STRIPE_SECRET_KEY_LIVE',
    Boolean(e.STRIPE_SECRET_KEY_TEST || e.STRIPE_SECRET_KEY_LIVE),
    'at least one of STRIPE_SECRET_KEY_TEST or STRIPE_SECRET_KEY_LIVE is required when NODE_ENV=production',
  );
  if (e.STRIPE_SECRET_KEY_TEST) need('STRIPE_APP_CLIENT_ID_TEST', Boolean(e.STRIPE_APP_CLIENT_ID_TEST));
  if (e.STRIPE_SECRET_KEY_LIVE) need('STRIPE_APP_CLIENT_ID_LIVE', Boolean(e.STRIPE_APP_CLIENT_ID_LIVE));
  if (e.STRIPE_SECRET_KEY_SANDBOX) need('STRIPE_APP_CLIENT_ID_SANDBOX', Boolean(e.STRIPE_APP_CLIENT_ID_SANDBOX));
  need('PUBLIC_URL', Boolean(e.PUBLIC_URL));
  need('ENCRYPTION_KEYS', e.ENCRYPTION_KEYS.length > 0);
  need('SUPPORT_TOKENS', e.SUPPORT_TOKENS.length > 0);
  need('STRIPE_APP_SIGNING_SECRETS', e.STRIPE_APP_SIGNING_SECRETS.length > 0);
  need('STRIPE_WEBHOOK_SECRETS', e.STRIPE_WEBHOOK_SECRETS.length > 0);
  return problems;
}

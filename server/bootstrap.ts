import { ConfigError, parseConfig, type Config } from './config.js';
import { DatabaseUnusableError } from './db/database.js';
import { withSandboxSecrets } from './sandbox/secrets.js';

/**
 * Reads the environment once for a process (server, worker or CLI). On a bad value the process
 * stops with one line per offending variable and exit code 78 (EX_CONFIG).
 */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config & { generated: string[] } {
  try {
    return withSandboxSecrets(parseConfig(env));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Configuration error:\n${err.problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}\n`);
      process.exit(78);
    }
    throw err;
  }
}

/** Database failures at start-up, by the driver's code: what a person can do about each. */
const DATABASE_CODES: Record<string, string> = {
  ECONNREFUSED: 'nothing accepts connections there (is PostgreSQL running?)',
  ENOTFOUND: 'that host name does not resolve',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'that host cannot be reached',
  '28P01': 'PostgreSQL refused the password',
  '28000': 'PostgreSQL refused the user',
  '3D000': 'that database does not exist',
  SQLITE_NOTADB: 'the file is not a SQLite database',
  SQLITE_CANTOPEN: 'SQLite cannot open the file',
  SQLITE_READONLY: 'the file is read-only',
  SQLITE_CORRUPT: 'the SQLite file is damaged',
  EACCES: 'permission denied',
};

/**
 * One line for a failure while starting (after config was read): the cause and, where we know it,
 * what to do. Never the database URL (it may hold a password), never a stack trace.
 */
export function startupProblem(err: unknown): string {
  if (err instanceof DatabaseUnusableError) return err.message;
  const e = err as { code?: unknown; errno?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const cause =
    DATABASE_CODES[code] ?? (/SQLITE_NOTADB|file is not a database/.test(String(e?.message)) ? DATABASE_CODES.SQLITE_NOTADB : undefined);
  if (cause) return `cannot use the database in DATABASE_URL: ${cause} (${code || 'SQLITE_NOTADB'})`;
  const message = String(e?.message ?? err)
    .split('\n')[0]!
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s]+/gi, '<url>');
  return `could not start: ${message}`;
}

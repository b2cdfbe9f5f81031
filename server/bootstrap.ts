import { ConfigError, parseConfig, type Config } from './config.js';
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
      process.stderr.write(
        `Configuration error:\n${err.problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}\n`,
      );
      process.exit(78);
    }
    throw err;
  }
}

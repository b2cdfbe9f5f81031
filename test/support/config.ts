import { randomBytes } from 'node:crypto';
import { parseConfig, type Config } from '../../server/config.js';

/** Tests build config objects; they never set process.env. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return parseConfig({
    NODE_ENV: 'test',
    DATABASE_URL: 'sqlite::memory:',
    ENCRYPTION_KEYS: randomBytes(32).toString('base64'),
    SUPPORT_TOKENS: 'support-token-for-tests-0123456789',
    LOG_LEVEL: 'silent',
    ...overrides,
  });
}

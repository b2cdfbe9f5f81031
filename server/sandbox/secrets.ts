import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Config } from '../config.js';

interface SandboxSecrets {
  encryptionKey: string;
  supportToken: string;
}

/** Where sandbox mode keeps generated secrets: next to the SQLite file, or ./data. */
function dataDirectory(config: Config): string {
  const sqlite = /^sqlite:(.+)$/.exec(config.databaseUrl);
  const file = sqlite?.[1];
  return file && file !== ':memory:' ? dirname(resolve(file)) : resolve('data');
}

/**
 * Sandbox mode only: fills ENCRYPTION_KEYS and SUPPORT_TOKENS from a file in the data folder,
 * generating it on first start, so a fresh clone runs with no configuration and keeps being
 * able to decrypt what it stored. Outside sandbox mode missing secrets stay missing.
 */
export function withSandboxSecrets(config: Config): Config & { generated: string[] } {
  if (!config.sandbox || (config.encryptionKeys.length && config.supportTokens.length)) {
    return { ...config, generated: [] };
  }
  const dir = dataDirectory(config);
  const file = join(dir, 'sandbox-secrets.json');
  let secrets: SandboxSecrets;
  const generated: string[] = [];
  if (existsSync(file)) {
    secrets = JSON.parse(readFileSync(file, 'utf8')) as SandboxSecrets;
  } else {
    mkdirSync(dir, { recursive: true });
    secrets = {
      encryptionKey: randomBytes(32).toString('base64'),
      supportToken: `pis_${randomBytes(24).toString('base64url')}`,
    };
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
    generated.push(file);
  }
  return {
    ...config,
    encryptionKeys: config.encryptionKeys.length ? config.encryptionKeys : [secrets.encryptionKey],
    supportTokens: config.supportTokens.length ? config.supportTokens : [secrets.supportToken],
    generated,
  };
}

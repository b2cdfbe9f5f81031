import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

describe('npm start', () => {
  it('serves /healthz with no configuration, then shuts down cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pi-start-'));
    // Same command as `npm start`, run from an empty folder so the defaults (./data) are exercised;
    // PORT=0 only avoids clashing with a developer's running server. STRIPE_API_BASE keeps the
    // bundled emulator's fixed port free for test/e2e/newcomer.test.ts, which runs the real thing.
    const child = spawn(
      process.execPath,
      ['--import', pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href, join(ROOT, 'server/main.ts')],
      {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', PORT: '0', STRIPE_API_BASE: 'http://127.0.0.1:9' },
      },
    );
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stdout += String(d)));
    try {
      const port = await new Promise<string>((ok, fail) => {
        const timer = setTimeout(() => fail(new Error(`no banner in 20 s:\n${stdout}`)), 20_000);
        child.stdout.on('data', () => {
          const m = /Backend: +http:\/\/localhost:(\d+)/.exec(stdout);
          if (m) {
            clearTimeout(timer);
            ok(m[1]!);
          }
        });
      });
      expect(stdout).toContain('SANDBOX MODE (not real Stripe)');
      expect(stdout).toContain('Stripe API:       http://127.0.0.1:9');
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(await res.json()).toEqual({ status: 'ok' });
      expect(existsSync(join(dir, 'data/pi.sqlite'))).toBe(true);

      const exit = new Promise<number | null>((ok) => child.on('exit', ok));
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

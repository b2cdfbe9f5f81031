import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../shared/contracts/connection-status.js';
import { launchChromium } from '../support/browser.js';
import { freePort } from '../support/http.js';
import { until } from '../support/workers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const EMULATOR = 'http://127.0.0.1:12111';

/**
 * A newcomer's first minutes, exactly as the README says: `npm start` with no configuration
 * (only a port and a data folder of its own, so it cannot clash with a developer's server).
 * The banner, the bundled emulator, the real OAuth flow against it in Chromium, the console
 * login with the printed token, the demo import reaching done and live payments arriving.
 */
describe('npm start on a fresh checkout (sandbox)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pi-newcomer-'));
  let port: number;
  let output = '';
  let child: ReturnType<typeof spawn>;
  let browser: Browser;
  let base: string;
  let token: string;
  let exited: Promise<number | null>;

  beforeAll(async () => {
    port = await freePort();
    child = spawn('npm', ['start'], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? dir,
        PORT: String(port),
        DATABASE_URL: `sqlite:${join(dir, 'pi.sqlite')}`,
      },
    });
    child.stdout!.on('data', (d) => (output += String(d)));
    child.stderr!.on('data', (d) => (output += String(d)));
    // 'close': npm has exited and every process holding its output (the server under it) too; npm
    // may exit on SIGTERM before the server has said it is shutting down.
    exited = new Promise((ok) => child.once('close', ok));
    await until(
      'the sandbox banner',
      async () => output,
      (o) => /Support console: /.test(o) || child.exitCode !== null,
      120_000,
    );
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output}`);
    browser = await launchChromium();
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the banner: sandbox mode, its own emulator with a demo merchant, the console and its token', () => {
    expect(output).toContain('SANDBOX MODE (not real Stripe)');
    base = /Backend: +(http:\/\/localhost:\d+)/.exec(output)![1]!;
    expect(base).toBe(`http://localhost:${port}`);
    // Its own emulator, not one somebody left running on the fixed port.
    expect(output).toMatch(/Stripe emulator: +http:\/\/127\.0\.0\.1:12111 \(control API/);
    expect(output).toMatch(/Demo merchant: +Demo Coffee Roasters \(acct_\w+\), 1000 payments of history \([\d,]+ objects\)/);
    expect(output).toContain(`Support console:  ${base}/support`);
    token = /Support token: +(pis_[\w-]+)/.exec(output)![1]!;
    expect(output).toContain(`Secrets created:  ${join(dir, 'sandbox-secrets.json')}`);
  });

  it('serves the emulator with a few thousand demo objects', async () => {
    const emulator = (await (await fetch(`${EMULATOR}/_emulator/`)).json()) as { accounts: { id: string; name: string }[] };
    const demo = emulator.accounts.find((a) => a.name === 'Demo Coffee Roasters')!;
    const truth = (await (await fetch(`${EMULATOR}/_emulator/truth?account=${demo.id}&mode=test`)).json()) as Record<string, unknown[]>;
    const objects = Object.entries(truth)
      .filter(([t]) => t !== 'event')
      .reduce((n, [, list]) => n + list.length, 0);
    expect(objects).toBeGreaterThan(3000);
  });

  it('connects the demo account through the printed OAuth link, in the browser', async () => {
    const installUrl = /open (http:\/\/\S+\/oauth\/install\?mode=test)/.exec(output)![1]!;
    const page = await browser.newPage();
    await page.goto(installUrl);
    expect(page.url().startsWith(`${EMULATOR}/oauth/v2/authorize?`)).toBe(true);
    await page.getByLabel('Account').selectOption(/Demo Coffee Roasters \((acct_\w+)\)/.exec(output)![1]!);
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.waitForURL(`${base}/oauth/callback**`);
    expect(await page.locator('h1').innerText()).toBe('Connected');
    await page.close();
  }, 30_000);

  it('logs in to the support console with the printed token and shows the demo import reaching done', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/support`);
    await page.waitForURL(/\/support\/login/);
    await page.getByLabel('Support token').fill(token);
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: /Demo Coffee Roasters/ }).waitFor();

    const api = async <T>(path: string) =>
      (await (await fetch(`${base}/api/support${path}`, { headers: { Authorization: `Bearer ${token}` } })).json()) as T;
    const [connection] = (await api<{ data: ConnectionStatus[] }>('/connections')).data;
    const seen = new Set<string>();
    // Every run finished is not yet the end: the balance snapshot comes next, then the state goes live.
    const done = await until(
      'the demo import to finish and the connection to go live',
      () => api<ConnectionStatus>(`/connections/${connection!.id}`),
      (s) => {
        for (const r of s.import.resources) seen.add(`${r.resource}:${r.state}`);
        return s.import.done && s.state !== 'backfilling';
      },
      120_000,
    );
    expect(done.state).toBe('live');
    // Live once every page is stored; verification follows with the connection live.
    const verified = await until(
      'verification of the demo import',
      () => api<ConnectionStatus>(`/connections/${connection!.id}`),
      (s) => s.import.verification === 'verified',
      120_000,
    );
    expect(verified.import.resources.every((r) => r.verification?.state === 'verified' && r.verification.repaired === 0)).toBe(true);
    expect(done.import.resources.find((r) => r.resource === 'charges')!.objects).toBeGreaterThanOrEqual(1000);

    await page.getByRole('link', { name: /Demo Coffee Roasters/ }).click();
    await page.getByTestId('import-status').getByText('Import complete').waitFor({ timeout: 30_000 });
    await page.close();
  }, 150_000);

  it("keeps receiving the demo merchant's live payments", async () => {
    const api = async <T>(path: string) =>
      (await (await fetch(`${base}/api/support${path}`, { headers: { Authorization: `Bearer ${token}` } })).json()) as T;
    const [connection] = (await api<{ data: ConnectionStatus[] }>('/connections')).data;
    const before = (await api<ConnectionStatus>(`/connections/${connection!.id}`)).events.last_event_at;
    await until(
      'a live event from the demo trickle',
      () => api<ConnectionStatus>(`/connections/${connection!.id}`),
      (s) => s.events.last_event_at !== null && s.events.last_event_at !== before,
      60_000,
    );
  }, 70_000);

  it('a second start says its port is taken in one line; on a port of its own it reuses the running emulator', async () => {
    const start = (env: Record<string, string>) => {
      const second = spawn(
        process.execPath,
        ['--import', pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href, join(ROOT, 'server/main.ts')],
        {
          cwd: dir,
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, ...env },
        },
      );
      let text = '';
      second.stdout.on('data', (d) => (text += String(d)));
      second.stderr.on('data', (d) => (text += String(d)));
      return { second, text: () => text, exit: new Promise<number | null>((ok) => second.once('exit', ok)) };
    };
    const clash = start({ PORT: String(port), DATABASE_URL: `sqlite:${join(dir, 'second.sqlite')}` });
    expect(await clash.exit).toBe(1);
    expect(clash.text()).toContain(
      `pi-stripe: port ${port} is already in use (another npm start?): stop that process, or set PORT to a free port`,
    );
    expect(clash.text()).not.toMatch(/TypeError|at .*\.ts:\d+/);

    const own = start({ PORT: String(await freePort()), DATABASE_URL: `sqlite:${join(dir, 'third.sqlite')}` });
    try {
      await until(
        'the second banner',
        async () => own.text(),
        (t) => /Support console: /.test(t) || own.second.exitCode !== null,
        60_000,
      );
      expect(own.text()).toContain(`Stripe emulator:  using the one already on ${EMULATOR}`);
      const healthy = /Backend: +(http:\/\/localhost:\d+)/.exec(own.text())![1]!;
      expect((await fetch(`${healthy}/healthz`)).status).toBe(200);
    } finally {
      own.second.kill('SIGKILL');
      await own.exit;
    }
  }, 90_000);

  it('stops cleanly on SIGTERM', async () => {
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
    expect(output).toContain('shutting down');
  }, 20_000);
});

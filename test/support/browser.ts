import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { build } from 'vite';

export const CHROMIUM = '/usr/bin/chromium';
/** Screenshots for people to look at; never committed (.gitignore). */
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts', import.meta.url));

/** Debian's Chromium, headless. Missing Chromium fails the test: browser tests never skip. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}; run: apt-get install -y chromium (.ci/run does)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Builds the support console with its real Vite config into a fresh folder; returns the folder. */
export async function buildConsole(): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'pi-console-'));
  await build({ configFile: fileURLToPath(new URL('../../server/support-console/vite.config.ts', import.meta.url)), build: { outDir, emptyOutDir: true }, logLevel: 'error' });
  return outDir;
}

export async function artifactPath(name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

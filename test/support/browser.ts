import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { build } from 'vite';

/** Debian's Chromium, used when installed; otherwise the one `npm install` brings (@sparticuz/chromium). */
export const DEBIAN_CHROMIUM = '/usr/bin/chromium';
const DEBIAN_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Screenshots for people to look at; never committed (.gitignore). */
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts', import.meta.url));

/**
 * A headless Chromium: Debian's when present, else the binary that ships inside the
 * @sparticuz/chromium package (unpacked to the temp folder on first use), so a fresh machine needs
 * nothing beyond `npm install`. Browser tests never skip: no browser fails them.
 */
export async function launchChromium(): Promise<Browser> {
  // PI_TEST_BROWSER=bundled tries the package's binary even where Debian's is installed.
  if (existsSync(DEBIAN_CHROMIUM) && process.env.PI_TEST_BROWSER !== 'bundled')
    return chromium.launch({ executablePath: DEBIAN_CHROMIUM, args: DEBIAN_ARGS });
  const bundled = (await import('@sparticuz/chromium')).default;
  // Its args are made for AWS Lambda: `--single-process` there ends the whole browser when a test
  // closes its page, and the next test's newPage() fails. Here every page is a normal tab.
  return chromium.launch({
    executablePath: await bundled.executablePath(),
    args: bundled.args.filter((a) => a !== '--single-process'),
    headless: true,
  });
}

/** Builds the support console with its real Vite config into a fresh folder; returns the folder. */
export async function buildConsole(): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'pi-console-'));
  await build({
    configFile: fileURLToPath(new URL('../../server/support-console/vite.config.ts', import.meta.url)),
    build: { outDir, emptyOutDir: true },
    logLevel: 'error',
  });
  return outDir;
}

export async function artifactPath(name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

import { SANDBOX_EMULATOR_URL } from '../config.js';
import { startTrickle } from './trickle.js';
import { addRedirectUri, probeEmulator } from './emulator-probe.js';

export interface SandboxStripe {
  /** Environment values that point the backend at the emulator (keys, app, authorize URL). */
  env: Record<string, string>;
  lines: string[];
  close(): Promise<void>;
}

const DEMO_PAYMENTS = 1000;

/**
 * Sandbox mode's Stripe: the bundled emulator, started in this process on its usual port with a
 * demo merchant, and the platform's keys and app registration handed to the backend's config.
 * If something already listens there (an emulator started by hand), that one is used as it is.
 * Loaded only in sandbox mode (`server/emulator/`, imported when needed).
 */
export async function startSandboxStripe(publicUrl: string, emulatorUrl = SANDBOX_EMULATOR_URL): Promise<SandboxStripe> {
  const { startEmulator } = await import('../emulator/index.js');
  const { setUpDemo } = await import('../emulator/demo.js');
  const port = Number(new URL(emulatorUrl).port);
  let emulator;
  try {
    emulator = await startEmulator({ port, seed: 1, app: { redirectUris: [`${publicUrl}/oauth/callback`] } });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    return reuseEmulator(publicUrl, emulatorUrl, port);
  }
  const demo = setUpDemo(emulator, DEMO_PAYMENTS);
  const objects = Object.entries(demo.counts)
    .filter(([type]) => type !== 'event')
    .reduce((sum, [, n]) => sum + n, 0);
  const stopTrickle = startTrickle(emulator.controlUrl, demo.account.id);
  return {
    env: {
      STRIPE_API_BASE: emulator.url,
      STRIPE_SECRET_KEY_TEST: demo.platformKeys.test,
      STRIPE_APP_CLIENT_ID_TEST: demo.clientIds.test,
      STRIPE_APP_AUTHORIZE_URL_TEST: `${emulator.url}/oauth/v2/authorize`,
      SANDBOX: '1',
    },
    lines: [
      `Stripe emulator:  ${emulator.url} (control API ${emulator.controlUrl})`,
      `Demo merchant:    ${demo.account.name} (${demo.account.id}), ` +
        `${DEMO_PAYMENTS} payments of history (${objects.toLocaleString('en-US')} objects)`,
      `Connect the demo: open ${publicUrl}/oauth/install?mode=test and approve (the real OAuth flow, emulated),`,
      `                  or: npx pi-stripe connect --name Demo --api-key ${demo.account.keys.test}`,
      `Live traffic:     a new demo payment every 5 s, a refund now and then, one dispute`,
    ],
    close: async () => {
      stopTrickle();
      await emulator.close();
    },
  };
}

/** Something already listens on the emulator's port: an emulator (used as it is, with its keys), or not (one line saying what to do). */
async function reuseEmulator(publicUrl: string, url: string, port: number): Promise<SandboxStripe> {
  const running = await probeEmulator(url);
  if (!running) {
    throw new SandboxPortError(
      `port ${port} (the sandbox's Stripe emulator) is in use by another program: ` +
        'stop it, or set STRIPE_API_BASE to a Stripe to use instead',
    );
  }
  await addRedirectUri(running, `${publicUrl}/oauth/callback`);
  return {
    env: {
      STRIPE_API_BASE: running.apiBase,
      STRIPE_SECRET_KEY_TEST: running.platformKeyTest,
      STRIPE_APP_CLIENT_ID_TEST: running.clientIdTest,
      STRIPE_APP_AUTHORIZE_URL_TEST: `${running.apiBase}/oauth/v2/authorize`,
      SANDBOX: '1',
    },
    lines: [`Stripe emulator:  using the one already on ${url} (control API ${running.controlUrl})`],
    close: async () => {},
  };
}

/** The sandbox cannot start its Stripe: said in one line, without a stack trace. */
export class SandboxPortError extends Error {}

import { parseArgs } from 'node:util';
import { probeEmulator } from '../../sandbox/emulator-probe.js';
import { CliError, type Command } from '../command.js';

/**
 * Runs the bundled Stripe emulator (`server/emulator/`) on its own. It is loaded only here, in
 * sandbox mode and by the tests, never on a production code path.
 */
export const emulatorCommand: Command = {
  name: 'emulator',
  usage: 'emulator [--port P] [--seed N]',
  summary: 'run the bundled Stripe emulator with N demo payments',
  async run({ config, args, json, out }) {
    const { values } = parseArgs({ args, options: { port: { type: 'string' }, seed: { type: 'string' } }, strict: true });
    const port = Number(values.port ?? 12111);
    const payments = Number(values.seed ?? 0);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be a port number, got "${values.port}"`);
    if (!Number.isInteger(payments) || payments < 0)
      throw new CliError(`--seed must be a whole number of demo payments, got "${values.seed}"`);
    const { startEmulator } = await import('../../emulator/index.js');
    const { setUpDemo } = await import('../../emulator/demo.js');
    const emulator = await startEmulator({
      port,
      seed: 1,
      app: { redirectUris: [`${config.publicUrl}/oauth/callback`] },
    }).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EADDRINUSE') throw new CliError(`cannot listen on port ${port}: ${err.message}`);
      throw new CliError(
        (await probeEmulator(`http://127.0.0.1:${port}`))
          ? `an emulator already listens on port ${port} (http://127.0.0.1:${port}): use that one, or pass --port to start another`
          : `port ${port} is in use by another program: stop it, or pass --port with a free port`,
      );
    });
    const demo = setUpDemo(emulator, payments);
    const summary = { api_base: emulator.url, control_api: emulator.controlUrl, ...demo };
    if (json) {
      out(JSON.stringify(summary, null, 2));
    } else {
      out(
        [
          'Stripe emulator (not real Stripe) is running.',
          `  STRIPE_API_BASE=${emulator.url}`,
          `  Control API:          ${emulator.controlUrl}`,
          `  Platform keys:        test ${demo.platformKeys.test}`,
          `                        live ${demo.platformKeys.live}`,
          `  App client ids:       test ${demo.clientIds.test}  live ${demo.clientIds.live}`,
          `  Demo account:         ${demo.account.id} (${demo.account.name})`,
          `  Demo account keys:    test ${demo.account.keys.test}`,
          `  Demo data:            ${
            Object.entries(demo.counts)
              .map(([k, v]) => `${v} ${k}`)
              .join(', ') || 'none (use --seed N)'
          }`,
          'Press Ctrl+C to stop.',
        ].join('\n'),
      );
    }
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await emulator.close();
  },
};

// A Stripe emulator in its own process for benchmarks, so that its memory and CPU are not
// counted as ours. Reads its setup from argv[2] (JSON), prints one JSON line when ready.
import { generate } from '../server/emulator/generator.js';
import { startEmulator } from '../server/emulator/index.js';
import type { EmulatorSetup } from './emulator-child.js';

const setup = JSON.parse(process.argv[2] ?? '{}') as EmulatorSetup;
const emulator = await startEmulator({
  seed: 7,
  settings: {
    latencyMs: setup.latencyMs,
    latencyMaxMs: setup.latencyMaxMs,
    rateLimits: { enabled: setup.limits, test: 25, liveGlobal: 100, liveEndpoint: 25, files: 20 },
  },
});
const account = emulator.state.addAccount({ name: 'Benchmark Merchant', ...(setup.apiVersion ? { apiVersion: setup.apiVersion } : {}) });
const started = Date.now();
const counts = generate(emulator.state, emulator.bus, {
  account: account.id,
  mode: setup.mode,
  payments: setup.payments,
  days: setup.days,
  burst: setup.burst,
  bursts: setup.bursts,
  shape: setup.shape ?? 'growing',
});
const key = emulator.state.keysOf(account.id, setup.mode, 'secret')[0]!.key;
process.stdout.write(
  JSON.stringify({
    url: emulator.url,
    controlUrl: emulator.controlUrl,
    account: account.id,
    key,
    counts,
    generateMs: Date.now() - started,
  }) + '\n',
);
process.stdin.resume();
process.stdin.on('end', () => void emulator.close().then(() => process.exit(0)));

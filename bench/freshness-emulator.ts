// The emulator for bench/freshness.ts in its own process: N accounts with no history, rate limits
// off (each account's own budget is far above what one poll stream needs). Prints one JSON line.
import { startEmulator } from '../server/emulator/index.js';

const { accounts } = JSON.parse(process.argv[2] ?? '{}') as { accounts: number };
const emulator = await startEmulator({
  seed: 11,
  settings: { rateLimits: { enabled: false, test: 25, liveGlobal: 100, liveEndpoint: 25, files: 20 } },
});
const list = Array.from({ length: accounts }, (_, i) => {
  const account = emulator.state.addAccount({ name: `Fresh ${i}` });
  return { id: account.id, key: emulator.state.keysOf(account.id, 'test', 'secret')[0]!.key };
});
process.stdout.write(JSON.stringify({ url: emulator.url, controlUrl: emulator.controlUrl, accounts: list }) + '\n');
process.stdin.resume();
process.stdin.on('end', () => void emulator.close().then(() => process.exit(0)));

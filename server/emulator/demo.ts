import type { Emulator } from './server.js';
import { generate } from './generator.js';

export interface DemoSetup {
  account: { id: string; name: string; keys: { test: string; live: string } };
  platformKeys: { test: string; live: string };
  clientIds: { test: string; live: string };
  counts: Record<string, number>;
}

/** A platform and one demo merchant with `payments` payments of history, for sandbox and the CLI. */
export function setUpDemo(emulator: Emulator, payments: number, days = 90): DemoSetup {
  const { state } = emulator;
  const merchant = state.addAccount({ name: 'Demo Coffee Roasters', country: 'US' });
  const counts =
    payments > 0
      ? generate(state, emulator.bus, {
          account: merchant.id,
          mode: 'test',
          payments,
          days,
          burst: Math.min(250, Math.floor(payments / 4)),
        })
      : {};
  const key = (account: string, mode: 'test' | 'live', kind: 'platform' | 'secret') => state.keysOf(account, mode, kind)[0]!.key;
  return {
    account: {
      id: merchant.id,
      name: merchant.name,
      keys: { test: key(merchant.id, 'test', 'secret'), live: key(merchant.id, 'live', 'secret') },
    },
    platformKeys: { test: key(state.platformAccount.id, 'test', 'platform'), live: key(state.platformAccount.id, 'live', 'platform') },
    clientIds: emulator.oauth.app.clientIds,
    counts,
  };
}

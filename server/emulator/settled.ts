import type { EmulatorState, Mode } from './state.js';

const maps = new WeakMap<EmulatorState, Map<string, Map<string, string>>>();

/** Per account and mode: balance transaction id → id of the automatic payout that settled it. */
export function settledByOf(state: EmulatorState, account: string, mode: Mode): Map<string, string> {
  let byStore = maps.get(state);
  if (!byStore) maps.set(state, (byStore = new Map()));
  const key = `${account}:${mode}`;
  let map = byStore.get(key);
  if (!map) byStore.set(key, (map = new Map()));
  return map;
}

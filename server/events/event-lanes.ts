import type { InboxEvent } from './inbox.js';
import { resourceForEvent } from './object-events.js';

/**
 * Splits a batch of pending events (oldest first) into steps run one after another; a step's
 * lanes may run side by side. Each lane holds one object's events in their order, so "newer
 * wins" and same-second ties are settled exactly as one at a time; different objects only meet
 * through the upsert's newer-wins guard. An event that carries no object of ours (an uninstall,
 * a report run) is a step of its own: everything before it is applied first, nothing after it
 * starts until it is done.
 */
export function eventLanes(batch: InboxEvent[]): InboxEvent[][][] {
  const steps: InboxEvent[][][] = [];
  let lanes = new Map<string, InboxEvent[]>();
  const close = () => {
    if (lanes.size) steps.push([...lanes.values()]);
    lanes = new Map();
  };
  for (const item of batch) {
    const objectId = resourceForEvent(item.event.type) ? (item.event.data?.object as { id?: unknown } | undefined)?.id : undefined;
    if (typeof objectId !== 'string') {
      close();
      steps.push([[item]]);
      continue;
    }
    const key = `${item.event.livemode}:${objectId}`;
    const lane = lanes.get(key);
    if (lane) lane.push(item);
    else lanes.set(key, [item]);
  }
  close();
  return steps;
}

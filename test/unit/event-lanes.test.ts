import { describe, expect, it } from 'vitest';
import { eventLanes } from '../../server/events/event-lanes.js';
import type { InboxEvent } from '../../server/events/inbox.js';
import { fixtureEvent } from '../support/fixture-events.js';

let nextId = 1;
/** An inbox row holding a Stripe-shaped event of `type` about object `objectId`. */
function pending(type: string, objectId: string, livemode = false): InboxEvent {
  const event = fixtureEvent(type, 'acct_lanes', nextId);
  (event.data.object as { id: string }).id = objectId;
  event.livemode = livemode;
  return { id: nextId++, accountId: 'acct_lanes', source: 'poll', event };
}

/** Each step as lanes of `type@object`, to read the grouping at a glance. */
const shape = (steps: InboxEvent[][][]) =>
  steps.map((lanes) => lanes.map((lane) => lane.map((i) => `${i.event.type}@${(i.event.data.object as { id: string }).id}`)));

describe('event lanes', () => {
  it.each([
    {
      name: "one lane per object, each in its events' order",
      batch: [
        pending('payment_intent.created', 'pi_1'),
        pending('charge.succeeded', 'ch_1'),
        pending('payment_intent.succeeded', 'pi_1'),
        pending('charge.refunded', 'ch_1'),
      ],
      steps: [
        [
          ['payment_intent.created@pi_1', 'payment_intent.succeeded@pi_1'],
          ['charge.succeeded@ch_1', 'charge.refunded@ch_1'],
        ],
      ],
    },
    {
      name: 'an event without an object of ours waits for everything before it, and holds back everything after it',
      batch: [
        pending('charge.succeeded', 'ch_1'),
        pending('reporting.report_run.succeeded', 'frr_1'),
        pending('charge.refunded', 'ch_1'),
        pending('refund.created', 're_1'),
      ],
      steps: [[['charge.succeeded@ch_1']], [['reporting.report_run.succeeded@frr_1']], [['charge.refunded@ch_1'], ['refund.created@re_1']]],
    },
    {
      name: 'test and live objects never share a lane',
      batch: [pending('charge.succeeded', 'ch_1', false), pending('charge.succeeded', 'ch_1', true)],
      steps: [[['charge.succeeded@ch_1'], ['charge.succeeded@ch_1']]],
    },
    { name: 'nothing pending, nothing to run', batch: [], steps: [] },
  ])('$name', ({ batch, steps }) => {
    expect(shape(eventLanes(batch))).toEqual(steps);
    expect(eventLanes(batch).flat(2)).toHaveLength(batch.length);
  });
});

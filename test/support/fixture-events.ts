import { readFileSync } from 'node:fs';
import type Stripe from 'stripe';
import { resourceForEvent } from '../../server/events/object-events.js';

const fixtures = JSON.parse(readFileSync(new URL('../../server/emulator/stripe-fixtures.json', import.meta.url), 'utf8')) as {
  resources: Record<string, Record<string, unknown>>;
};

const OBJECT_OF: Record<string, string> = { file: 'file', reporting: 'reporting.report_run' };

/** An event shaped like Stripe's example, carrying a fresh copy of the fixture object. */
export function fixtureEvent(type: string, account: string | undefined, n: number): Stripe.Event {
  const resource = resourceForEvent(type);
  const objectType =
    resource?.objectType ?? (type.startsWith('reporting.report_type') ? 'reporting.report_type' : OBJECT_OF[type.split('.')[0]!]!);
  const object = {
    ...fixtures.resources[objectType]!,
    id: `${String(fixtures.resources[objectType]!.id).split('_')[0]}_fx${n}${Date.now()}`,
  };
  return {
    ...(fixtures.resources.event as object),
    id: `evt_fx${n}_${Date.now()}`,
    type,
    account,
    api_version: '2026-10-28.endive',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    data: { object },
  } as unknown as Stripe.Event;
}

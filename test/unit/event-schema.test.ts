import { describe, expect, it } from 'vitest';
import { checkEvent, checkEventText, MAX_EVENT_DEPTH } from '../../server/events/event-schema.js';
import { SUBSCRIBED_EVENT_TYPES } from '../../shared/event-types.js';
import { fixtureEvent } from '../support/fixture-events.js';

describe('event schema', () => {
  it('accepts Stripe-shaped events of every type we subscribe to', () => {
    for (const type of SUBSCRIBED_EVENT_TYPES) expect(checkEvent(fixtureEvent(type, 'acct_1Schema', 1)), type).toMatchObject({ ok: true });
  });

  it.each([
    ['no data', { data: undefined }, 'data'],
    ['no object id', { data: { object: { object: 'charge' } } }, 'data.object.id'],
    ['a string created', { created: '1700000000' }, 'created'],
    ['not an event', { object: 'charge' }, 'object'],
    ['an id that is not an event id', { id: 'ch_1' }, 'id'],
    ['a NUL in a string', { data: { object: { id: 'ch_1', description: 'a\u0000b' } } }, 'NUL'],
  ])('refuses %s, naming what is wrong', (_label, change, named) => {
    const check = checkEvent({ ...fixtureEvent('charge.succeeded', 'acct_1Schema', 2), ...change });
    expect(check.ok).toBe(false);
    expect(check.ok ? '' : check.reason).toContain(named);
  });

  it('refuses what is too deep, too large, or not JSON', () => {
    let deep: Record<string, unknown> = { id: 'ch_1' };
    for (let i = 0; i < MAX_EVENT_DEPTH + 2; i++) deep = { id: 'ch_1', nested: deep };
    expect(checkEvent({ ...fixtureEvent('charge.succeeded', 'acct_1Schema', 3), data: { object: deep } })).toMatchObject({ ok: false });
    expect(checkEvent(fixtureEvent('charge.succeeded', 'acct_1Schema', 4), 600 * 1024)).toMatchObject({ ok: false });
    expect(checkEventText('{"id": ')).toEqual({ ok: false, reason: 'the body is not JSON' });
    expect(checkEventText('null')).toMatchObject({ ok: false });
  });
});

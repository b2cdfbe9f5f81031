import type Stripe from 'stripe';
import { z } from 'zod';

/** Stripe's webhook bodies are far smaller; the webhook routes refuse bodies above this too. */
export const MAX_EVENT_BYTES = 512 * 1024;
/** Nesting no Stripe object comes near (expanded objects stay under ten levels). */
export const MAX_EVENT_DEPTH = 32;

/**
 * What every event must be before it is stored or applied, whatever brought it: the fields the
 * inbox keys on and `processEvent` reads. Everything else is kept as sent.
 */
const eventShape = z.object({
  id: z.string().regex(/^evt_[A-Za-z0-9_]{1,250}$/, 'must be an event id (evt_…)'),
  object: z.literal('event'),
  type: z.string().regex(/^[a-z0-9_]+(\.[a-z0-9_]+){1,4}$/, 'must be an event type like charge.succeeded'),
  created: z.number().int().positive(),
  livemode: z.boolean(),
  account: z
    .string()
    .regex(/^acct_[A-Za-z0-9]+$/, 'must be an account id (acct_…)')
    .optional(),
  api_version: z.string().max(64).nullable().optional(),
  data: z.object({ object: z.looseObject({ id: z.string().min(1).max(255) }) }),
});

export type EventCheck = { ok: true; event: Stripe.Event } | { ok: false; reason: string };

/**
 * What no Stripe object holds: nesting deeper than `max` levels, or a NUL character in a string or
 * key (PostgreSQL's jsonb cannot store one, so such an event could never be stored). Checked
 * without recursion.
 */
function structureProblem(value: unknown, max: number): string | null {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return 'a string holds a NUL character';
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) return `the event is nested deeper than ${max} levels`;
    for (const [key, child] of Object.entries(v)) {
      if (key.includes('\u0000')) return 'a key holds a NUL character';
      stack.push([child, depth + 1]);
    }
  }
  return null;
}

/** A parsed value checked as an event: the reason names the first field that is wrong. */
export function checkEvent(value: unknown, bytes?: number): EventCheck {
  if (bytes !== undefined && bytes > MAX_EVENT_BYTES) return { ok: false, reason: `the event is larger than ${MAX_EVENT_BYTES} bytes` };
  const parsed = eventShape.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, reason: `${issue.path.join('.') || 'the event'}: ${issue.message}` };
  }
  const problem = structureProblem(value, MAX_EVENT_DEPTH);
  if (problem) return { ok: false, reason: problem };
  return { ok: true, event: value as Stripe.Event };
}

/** JSON text checked as an event. */
export function checkEventText(text: string): EventCheck {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'the body is not JSON' };
  }
  return checkEvent(value, Buffer.byteLength(text));
}

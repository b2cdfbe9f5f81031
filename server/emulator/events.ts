import type { StripeObject } from './collection.js';
import { build } from './objects.js';
import type { EmulatorState, Mode } from './state.js';
import { renderIn } from './versions.js';

export type EventListener = (event: StripeObject, account: string, mode: Mode) => void;

/**
 * Emits events the way Stripe does: a random (unordered) id, `data.object` as a snapshot of the
 * object at that moment, `previous_attributes` for updates, the account's API version, and an
 * optional random delay before the event shows in the list (the list is eventually consistent).
 */
export class EventBus {
  private readonly listeners: EventListener[] = [];

  constructor(private readonly state: EmulatorState) {}

  onEvent(listener: EventListener): void {
    this.listeners.push(listener);
  }

  emit(
    account: string,
    mode: Mode,
    type: string,
    object: StripeObject | Record<string, unknown>,
    options: {
      previous?: Record<string, unknown>;
      created?: number;
      requestId?: string | null;
      notify?: boolean;
      /** false: delivered to webhook endpoints only, never listed in the account's events. */
      listed?: boolean;
    } = {},
  ): StripeObject {
    const { random, settings } = this.state;
    const acct = this.state.accounts.get(account);
    const created = options.created ?? this.state.now();
    const event = build('event', {
      id: random.id('evt_'),
      account,
      api_version: acct?.apiVersion ?? null,
      created,
      data: {
        // In the account's API version, as Stripe renders events (versions.ts).
        object: acct
          ? renderIn(structuredClone(object) as StripeObject, acct.apiVersion, { state: this.state, account, mode })
          : structuredClone(object),
        ...(options.previous ? { previous_attributes: structuredClone(options.previous) } : {}),
      },
      livemode: mode === 'live',
      pending_webhooks: 0,
      request: { id: options.requestId ?? null, idempotency_key: null },
      type,
    });
    const delay = settings.eventVisibilityDelayMs ? random.int(0, settings.eventVisibilityDelayMs) : 0;
    if (options.listed !== false) this.state.collection(account, mode, 'event').insert(event, delay ? this.state.nowMs() + delay : 0);
    if (options.notify !== false) for (const listener of this.listeners) listener(event, account, mode);
    return event;
  }
}

/** Applies `changes` to `object` in place and returns the previous values, Stripe-style. */
export function update(object: Record<string, unknown>, changes: Record<string, unknown>): Record<string, unknown> {
  const previous: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(changes)) {
    previous[key] = structuredClone(object[key]);
    object[key] = value;
  }
  return previous;
}

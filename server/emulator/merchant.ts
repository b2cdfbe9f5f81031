import type { StripeObject } from './collection.js';
import type { EventBus } from './events.js';
import * as objects from './objects.js';
import { settledByOf } from './settled.js';
import type { EmulatorState, Mode, ResourceType } from './state.js';

const DAY = 86400;

/**
 * One account in one mode, as the money moves: the shared context of the payment, refund,
 * dispute and payout operations. `emit` is false while generating history (its events are
 * emitted separately, only for the 30 days Stripe keeps).
 */
export class Merchant {
  /** balance transaction id → payout id that settled it. */
  readonly settledBy: Map<string, string>;

  constructor(
    readonly state: EmulatorState,
    readonly bus: EventBus,
    readonly account: string,
    readonly mode: Mode,
    /** False while generating history: its events are recorded but not delivered to webhooks. */
    readonly notify = true,
    /** The currency it charges and settles in, when not the account's default (a merchant can sell in several). */
    private readonly chargeCurrency?: string,
  ) {
    this.settledBy = settledByOf(state, account, mode);
  }

  get livemode(): boolean {
    return this.mode === 'live';
  }

  get currency(): string {
    return this.chargeCurrency ?? this.state.accounts.get(this.account)?.defaultCurrency ?? 'usd';
  }

  id(prefix: string): string {
    return this.state.random.id(prefix);
  }

  insert(type: ResourceType, object: StripeObject): StripeObject {
    this.state.collection(this.account, this.mode, type).insert(object);
    return object;
  }

  get(type: ResourceType, id: string): StripeObject {
    const object = this.state.find(this.account, this.mode, type, id);
    if (!object) throw new Error(`no ${type} ${id} in ${this.account} (${this.mode})`);
    return object;
  }

  emit(type: string, object: StripeObject, at: number, emit: boolean, previous?: Record<string, unknown>): void {
    if (emit) this.bus.emit(this.account, this.mode, type, object, { created: at, previous, notify: this.notify });
  }

  /** A balance transaction; funds become available two days later at midnight UTC. */
  transaction(input: {
    at: number;
    amount: number;
    fee: number;
    type: string;
    category: string;
    source: string;
    description: string | null;
    availableOn?: number;
  }): StripeObject {
    return this.insert(
      'balance_transaction',
      objects.balanceTransaction({
        id: this.id('txn_'),
        created: input.at,
        availableOn: input.availableOn ?? Math.floor((input.at + 2 * DAY) / DAY) * DAY,
        amount: input.amount,
        fee: input.fee,
        currency: this.currency,
        type: input.type,
        reportingCategory: input.category,
        source: input.source,
        description: input.description,
      }),
    );
  }
}

/** Stripe's US card pricing: 2.9% + 30¢, rounded to the minor unit. */
export const cardFee = (amount: number) => Math.round(amount * 0.029) + 30;

import { Collection, type StripeObject } from './collection.js';
import { Random } from './random.js';

export type Mode = 'test' | 'live';
/** Where an app install lives: test or live mode, or the app's managed sandbox (installs into a
 *  Stripe sandbox: test-mode data, exchanged with the managed sandbox's own platform key). */
export type Environment = Mode | 'sandbox';
export const modeOfEnvironment = (env: Environment): Mode => (env === 'sandbox' ? 'test' : env);
export const API_VERSION = '2026-10-28.endive';

/** A merchant's own data: what scenarios create, what counts and ground truth cover. */
export const DATA_TYPES = [
  'charge',
  'payment_intent',
  'refund',
  'dispute',
  'payout',
  'balance_transaction',
  'radar.early_fraud_warning',
  'event',
] as const;
/** Every type of object the emulator stores: the merchant's data, and files and report runs. */
export const RESOURCE_TYPES = [...DATA_TYPES, 'file', 'reporting.report_run'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export interface Account {
  id: string;
  name: string;
  country: string;
  email: string;
  /** Stripe: "Time at which the account was connected" (optional). For an account connected
   *  through the app that is the install, not the start of its history; null leaves it out. */
  created: number | null;
  defaultCurrency: string;
  /** API version this account's events are rendered in. */
  apiVersion: string;
  platform: boolean;
}

export type KeyKind = 'platform' | 'secret' | 'restricted' | 'oauth';

export interface KeyRecord {
  key: string;
  kind: KeyKind;
  account: string;
  mode: Mode;
  /** Restricted keys and OAuth tokens: what they may read. Undefined means everything. */
  permissions?: Set<string>;
  expiresAt?: number;
  revoked?: boolean;
}

export interface EmulatorSettings {
  latencyMs: number;
  /** With latencyMs, each request waits a random time between the two (real latency varies). */
  latencyMaxMs?: number;
  rateLimits: { enabled: boolean; test: number; liveGlobal: number; liveEndpoint: number; files: number };
  /**
   * Stripe's concurrency limiter ("You can only have N API requests in progress at the same
   * time"; docs: Rate limits, "API limiters"): requests of one account and mode in flight at once,
   * overall and per endpoint; past it a 429 with `global-concurrency` / `endpoint-concurrency`.
   * Stripe does not publish the numbers; 0 means no limit.
   */
  concurrency: { global: number; endpoint: number };
  /** Upper bound of the random delay before a new event shows in GET /v1/events. */
  eventVisibilityDelayMs: number;
  reportRunDelayMs: number;
  tokenTtlSeconds: number;
  authorizationCodeTtlSeconds: number;
  webhookRetryDelaysMs: number[];
}

export const defaultSettings = (): EmulatorSettings => ({
  latencyMs: 0,
  rateLimits: { enabled: true, test: 25, liveGlobal: 100, liveEndpoint: 25, files: 20 },
  concurrency: { global: 0, endpoint: 0 },
  eventVisibilityDelayMs: 0,
  reportRunDelayMs: 200,
  tokenTtlSeconds: 3600,
  authorizationCodeTtlSeconds: 300,
  webhookRetryDelaysMs: [500, 1000, 2000, 4000, 8000],
});

/** Everything the emulator knows; one instance per emulator. */
export class EmulatorState {
  readonly random: Random;
  readonly accounts = new Map<string, Account>();
  readonly keys = new Map<string, KeyRecord>();
  readonly settings: EmulatorSettings;
  private readonly stores = new Map<string, Map<ResourceType, Collection>>();
  private clockOffsetSeconds = 0;
  readonly platformAccount: Account;
  /** The app's managed sandbox: its own platform account, key and (in the app registration) client id. */
  readonly sandboxPlatform: Account;

  constructor(seed: number, settings: Partial<EmulatorSettings> = {}) {
    this.random = new Random(seed);
    this.settings = { ...defaultSettings(), ...settings };
    this.platformAccount = this.addAccount({ name: 'Payments Intelligence (platform)', platform: true });
    this.sandboxPlatform = this.addAccount({ name: 'Payments Intelligence (managed sandbox)', platform: true });
  }

  /** Unix seconds on the emulator's clock (real time plus any advance from the control API). */
  now(): number {
    return Math.floor(Date.now() / 1000) + this.clockOffsetSeconds;
  }

  nowMs(): number {
    return Date.now() + this.clockOffsetSeconds * 1000;
  }

  advanceClock(seconds: number): void {
    this.clockOffsetSeconds += seconds;
  }

  addAccount(input: Partial<Account> = {}): Account {
    const id = input.id ?? this.random.id('acct_1').slice(0, 21);
    const account: Account = {
      id,
      name: input.name ?? `Demo merchant ${this.accounts.size}`,
      country: input.country ?? 'US',
      email: input.email ?? `owner+${id.slice(-6).toLowerCase()}@example.com`,
      created: input.created === undefined ? this.now() : input.created,
      defaultCurrency: input.defaultCurrency ?? 'usd',
      apiVersion: input.apiVersion ?? API_VERSION,
      platform: input.platform ?? false,
    };
    this.accounts.set(id, account);
    for (const mode of ['test', 'live'] as const) {
      this.addKey({ kind: account.platform ? 'platform' : 'secret', account: id, mode });
    }
    return account;
  }

  addKey(input: Omit<KeyRecord, 'key'> & { key?: string }): KeyRecord {
    const prefix = input.kind === 'restricted' ? 'rk' : 'sk';
    const key = input.key ?? `${prefix}_${input.mode}_${this.random.id('').slice(0, 24)}${this.random.id('').slice(0, 24)}`;
    const record: KeyRecord = { ...input, key };
    this.keys.set(key, record);
    return record;
  }

  keysOf(account: string, mode: Mode, kind: KeyKind): KeyRecord[] {
    return [...this.keys.values()].filter((k) => k.account === account && k.mode === mode && k.kind === kind);
  }

  collection(account: string, mode: Mode, type: ResourceType): Collection {
    const storeKey = `${account}:${mode}`;
    let store = this.stores.get(storeKey);
    if (!store) {
      store = new Map();
      this.stores.set(storeKey, store);
    }
    let collection = store.get(type);
    if (!collection) {
      collection = new Collection();
      store.set(type, collection);
    }
    return collection;
  }

  find(account: string, mode: Mode, type: ResourceType, id: string): StripeObject | undefined {
    return this.collection(account, mode, type).get(id);
  }
}

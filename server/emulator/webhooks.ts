import { createHmac } from 'node:crypto';
import type { StripeObject } from './collection.js';
import type { EmulatorState, Mode } from './state.js';

export interface EndpointFaults {
  /** Probability that a delivery attempt is silently dropped (never sent). */
  dropRate?: number;
  /** Probability that a delivered event is sent a second time. */
  duplicateRate?: number;
  /** Fixed delay, plus up to `jitterMs` random, before each attempt: reorders deliveries. */
  delayMs?: number;
  jitterMs?: number;
}

export interface WebhookEndpoint {
  id: string;
  url: string;
  secret: string;
  /** '*' or event types. */
  enabledEvents: string[];
  mode: Mode;
  /** An account's own endpoint; undefined means the app/Connect endpoint (every installed account). */
  account?: string;
  faults: EndpointFaults;
}

export interface Delivery {
  endpoint: string;
  event: string;
  type: string;
  attempt: number;
  status: number | 'error' | 'dropped';
  at: number;
}

/** Stripe's signature header: `t=<unix>,v1=<hex HMAC-SHA256 of "t.payload">`. */
export function signatureHeader(payload: string, secret: string, timestamp: number): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

/** Delivers events to registered endpoints: signed, at least once, unordered, retried on non-2xx. */
export class Webhooks {
  readonly endpoints = new Map<string, WebhookEndpoint>();
  readonly deliveries: Delivery[] = [];
  private inFlight = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly state: EmulatorState,
    private readonly isInstalled: (account: string, mode: Mode) => boolean,
  ) {}

  register(input: Omit<WebhookEndpoint, 'id' | 'secret' | 'faults'> & { faults?: EndpointFaults; secret?: string }): WebhookEndpoint {
    const endpoint: WebhookEndpoint = {
      ...input,
      id: this.state.random.id('we_'),
      secret: input.secret ?? `whsec_${this.state.random.id('').slice(0, 32)}`,
      faults: input.faults ?? {},
    };
    this.endpoints.set(endpoint.id, endpoint);
    return endpoint;
  }

  dispatch(event: StripeObject, account: string, mode: Mode): void {
    for (const endpoint of this.endpoints.values()) {
      if (endpoint.mode !== mode) continue;
      // Stripe's event types: account.application.* is "sent to the related application only",
      // never to an endpoint of the merchant's own account.
      const lifecycle = String(event.type).startsWith('account.application.');
      if (endpoint.account ? endpoint.account !== account || lifecycle : !this.isInstalled(account, mode) && !lifecycle) continue;
      if (!endpoint.enabledEvents.includes('*') && !endpoint.enabledEvents.includes(event.type as string)) continue;
      event.pending_webhooks = (event.pending_webhooks as number) + 1;
      this.schedule(endpoint, event, 1);
    }
  }

  /** Resolves when no delivery is waiting or in flight (for tests). */
  async idle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.timers.size || this.inFlight) {
      if (Date.now() > deadline) throw new Error('webhook deliveries still pending');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private schedule(endpoint: WebhookEndpoint, event: StripeObject, attempt: number, baseDelay = 0): void {
    const { random } = this.state;
    const f = endpoint.faults;
    const delay = baseDelay + (f.delayMs ?? 0) + (f.jitterMs ? random.int(0, f.jitterMs) : 0);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(endpoint, event, attempt);
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }

  private async attempt(endpoint: WebhookEndpoint, event: StripeObject, attempt: number): Promise<void> {
    const f = endpoint.faults;
    const record = (status: Delivery['status']) =>
      this.deliveries.push({ endpoint: endpoint.id, event: event.id, type: event.type as string, attempt, status, at: Date.now() });
    if (f.dropRate && this.state.random.chance(f.dropRate)) {
      // A dropped attempt is like a timeout to Stripe: it is retried later.
      record('dropped');
      return this.retry(endpoint, event, attempt);
    }
    const payload = JSON.stringify(event, null, 2);
    let status: number | 'error' = 'error';
    this.inFlight++;
    try {
      const res = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'Stripe-Signature': signatureHeader(payload, endpoint.secret, this.state.now()),
        },
        body: payload,
        signal: AbortSignal.timeout(10_000),
      });
      status = res.status;
      await res.arrayBuffer();
    } catch {
      status = 'error';
    } finally {
      this.inFlight--;
    }
    record(status);
    if (typeof status === 'number' && status >= 200 && status < 300) {
      if (f.duplicateRate && attempt === 1 && this.state.random.chance(f.duplicateRate)) this.schedule(endpoint, event, attempt + 1);
      return;
    }
    this.retry(endpoint, event, attempt);
  }

  private retry(endpoint: WebhookEndpoint, event: StripeObject, attempt: number): void {
    const delays = this.state.settings.webhookRetryDelaysMs;
    if (attempt > delays.length) return;
    this.schedule(endpoint, event, attempt + 1, delays[attempt - 1]!);
  }
}

/** No more of one account's requests than this in flight from one process, whatever asks. */
const MAX_IN_FLIGHT = 64;
/** After a refusal the allowance grows back only to just below where Stripe refused, until this
 *  long has passed without another: then it probes higher again (limits can change). */
const PROBE_AFTER_MS = 10_000;
const SAME_BURST_MS = 1_000;

/**
 * How many of one account's requests may be in flight at once, learned from Stripe: its concurrency
 * limiter (429 with `Stripe-Rate-Limited-Reason: global-concurrency` or `endpoint-concurrency`)
 * publishes no number. A concurrency 429 halves the allowance (down to 1) and remembers where it
 * was refused; each request that succeeds raises it by 1/allowance (about one more per round
 * trip), up to just below that point, and past it only after PROBE_AFTER_MS without a refusal.
 * Rate limits are the token buckets' job; this only bounds parallelism.
 */
class ConcurrencyGate {
  private allowance = MAX_IN_FLIGHT;
  private ceiling = MAX_IN_FLIGHT;
  private refusedAt = 0;
  /** Places taken (some still waiting for a rate token) and requests actually sent. */
  private active = 0;
  private sending = 0;
  private readonly waiting: (() => void)[] = [];

  get limit(): number {
    return Math.floor(this.allowance);
  }

  async enter(signal?: AbortSignal): Promise<void> {
    while (this.active >= this.limit) {
      signal?.throwIfAborted();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.active++;
  }

  /** The request holding a place is being sent now (it has its rate token). */
  sent(): void {
    this.sending++;
  }

  /** The request is done: `ok` when it was sent and Stripe answered it (anything but a concurrency 429). */
  leave(ok: boolean, wasSent = true): void {
    this.active--;
    if (wasSent) this.sending--;
    if (ok) {
      const cap = Date.now() - this.refusedAt >= PROBE_AFTER_MS ? MAX_IN_FLIGHT : this.ceiling;
      if (this.allowance < cap) this.allowance = Math.min(cap, this.allowance + 1 / this.allowance);
    }
    this.wake();
  }

  /** Stripe refused a request for concurrency: fewer at once from now on. */
  shrink(now = Date.now()): void {
    // Refusals of one burst arrive together: the first one tells where the limit is.
    if (now - this.refusedAt < SAME_BURST_MS) return;
    // `sending` still counts the refused request: Stripe let through fewer than that.
    this.ceiling = Math.max(1, this.sending - 1);
    this.allowance = Math.max(1, Math.floor(this.sending / 2));
    this.refusedAt = now;
  }

  private wake(): void {
    for (let free = this.limit - this.active; free > 0 && this.waiting.length; free--) this.waiting.shift()!();
  }
}

const gates = new WeakMap<object, ConcurrencyGate>();

/** The gate of one account's limiter (one per account and mode, like the limiter itself). */
export function gateOf(limiter: object): ConcurrencyGate {
  let gate = gates.get(limiter);
  if (!gate) gates.set(limiter, (gate = new ConcurrencyGate()));
  return gate;
}

export const isConcurrencyReason = (reason: unknown): boolean => typeof reason === 'string' && reason.endsWith('-concurrency');

/**
 * Sandbox mode's live traffic: the demo merchant keeps taking payments, now and then refunds one
 * and once disputes one, through the emulator's control API, so a newcomer sees events arrive.
 */
export function startTrickle(
  controlUrl: string,
  account: string,
  options: { everyMs?: number; onError?: (err: unknown) => void } = {},
): () => void {
  let tick = 0;
  let lastCharge: string | null = null;
  let disputed = false;
  const scenario = async (name: string, body: Record<string, unknown>) => {
    const res = await fetch(`${controlUrl}/scenarios/${name}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ account, ...body }),
    });
    if (!res.ok) throw new Error(`emulator scenario ${name} answered ${res.status}`);
    return (await res.json()) as { charge?: { id: string } };
  };
  const step = async () => {
    tick++;
    if (lastCharge && !disputed && tick % 15 === 0) {
      disputed = true;
      await scenario('dispute', { charge: lastCharge });
    } else if (lastCharge && tick % 4 === 0) {
      await scenario('refund', { charge: lastCharge, amount: 500 });
    } else {
      lastCharge = (await scenario('payment', { amount: 1000 + Math.floor(Math.random() * 9000) })).charge?.id ?? lastCharge;
    }
  };
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    step()
      .catch((err: unknown) => options.onError?.(err))
      .finally(() => (busy = false));
  }, options.everyMs ?? 5000);
  timer.unref();
  return () => clearInterval(timer);
}

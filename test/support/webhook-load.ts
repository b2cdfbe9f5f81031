// Webhook load generator, in its own process (bench/webhooks.ts and the burst test run it):
// sends signed `charge.succeeded` events to a URL with a fixed number of requests in flight and
// prints one JSON line of what it measured. Options: `duplicates` sends that many events twice
// (shuffled in), `only` sends just those event indexes (a redelivery), and the output names the
// events that no delivery got a 2xx for, so a caller can check that nothing acknowledged is lost.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import Stripe from 'stripe';

const {
  url,
  secret,
  count,
  concurrency,
  account,
  duplicates = 0,
  only,
  stamp = Math.floor(Date.now() / 1000),
} = JSON.parse(process.argv[2]!) as {
  url: string;
  secret: string;
  count: number;
  concurrency: number;
  account: string;
  duplicates?: number;
  only?: number[];
  stamp?: number;
};
const fixtures = JSON.parse(readFileSync(new URL('../../server/emulator/stripe-fixtures.json', import.meta.url), 'utf8')) as {
  resources: Record<string, object>;
};
const sdk = new Stripe('sk_test_signing_only');
const body = (i: number) => {
  const payload = JSON.stringify({
    ...fixtures.resources.event,
    id: `evt_load_${i}_${stamp}`,
    type: 'charge.succeeded',
    account,
    created: stamp,
    livemode: false,
    api_version: '2026-10-28.endive',
    data: { object: { ...fixtures.resources.charge, id: `ch_load_${i}` } },
  });
  return { index: i, payload, header: sdk.webhooks.generateTestHeaderString({ payload, secret }) };
};
const indexes = only ?? Array.from({ length: count }, (_, i) => i);
const deliveries = indexes.map(body);
// Stripe delivers some events twice: the copies go in at random places.
for (let d = 0; d < duplicates; d++) deliveries.splice(Math.floor(Math.random() * deliveries.length), 0, deliveries[d % indexes.length]!);

// node:http with keep-alive: fetch's per-request overhead would make the load generator the bottleneck.
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const target = new URL(url);
function post(payload: string, header: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload), 'Stripe-Signature': header },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const latencies: number[] = [];
const statuses: Record<string, number> = {};
const acknowledged = new Set<number>();
const refused: number[] = [];
let errors = 0;
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < deliveries.length) {
      const delivery = deliveries[next++]!;
      const t0 = performance.now();
      let status: number | string;
      try {
        status = await post(delivery.payload, delivery.header);
      } catch (err) {
        status = (err as NodeJS.ErrnoException).code ?? 'error';
      }
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status === 200) acknowledged.add(delivery.index);
      else {
        errors++;
        refused.push(delivery.index);
      }
      latencies.push(performance.now() - t0);
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p: number) => Number(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!.toFixed(2));
agent.destroy();
process.stdout.write(
  JSON.stringify({
    sent: deliveries.length,
    seconds: Number(seconds.toFixed(2)),
    accepted_per_second: Math.round((deliveries.length - errors) / seconds),
    p50_ms: pct(0.5),
    p99_ms: pct(0.99),
    errors,
    statuses,
    stamp,
    refused: refused.slice(0, 100),
    unacknowledged: indexes.filter((i) => !acknowledged.has(i)),
  }) + '\n',
);

// Load generator for bench/webhooks.ts: runs in its own process, sends pre-signed events to a URL
// with a fixed number of requests in flight, and prints one JSON line of what it measured.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import Stripe from 'stripe';

const { url, secret, count, concurrency, account } = JSON.parse(process.argv[2]!) as {
  url: string; secret: string; count: number; concurrency: number; account: string;
};
const fixtures = JSON.parse(readFileSync(new URL('../test/emulator/stripe-fixtures.json', import.meta.url), 'utf8')) as { resources: Record<string, object> };
const sdk = new Stripe('sk_test_signing_only');
const now = Math.floor(Date.now() / 1000);
const bodies = Array.from({ length: count }, (_, i) => {
  const payload = JSON.stringify({
    ...fixtures.resources.event, id: `evt_bench_${i}_${now}`, type: 'charge.succeeded', account, created: now, livemode: false,
    api_version: '2026-10-28.endive', data: { object: { ...fixtures.resources.charge, id: `ch_bench_${i}` } },
  });
  return { payload, header: sdk.webhooks.generateTestHeaderString({ payload, secret }) };
});

// node:http with keep-alive: fetch's per-request overhead would make the load generator the bottleneck.
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const target = new URL(url);
function post(payload: string, header: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload), 'Stripe-Signature': header } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

const latencies: number[] = [];
let errors = 0;
let next = 0;
const started = performance.now();
await Promise.all(Array.from({ length: concurrency }, async () => {
  while (next < bodies.length) {
    const body = bodies[next++]!;
    const t0 = performance.now();
    try {
      if ((await post(body.payload, body.header)) !== 200) errors++;
    } catch {
      errors++;
    }
    latencies.push(performance.now() - t0);
  }
}));
const seconds = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p: number) => Number(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!.toFixed(2));
agent.destroy();
process.stdout.write(JSON.stringify({ sent: count, seconds: Number(seconds.toFixed(2)), accepted_per_second: Math.round((count - errors) / seconds), p50_ms: pct(0.5), p99_ms: pct(0.99), errors }) + '\n');

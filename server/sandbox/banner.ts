import type { Config } from '../config.js';

/** What a newcomer sees after `npm start` with no configuration. */
export function sandboxBanner(config: Config & { generated?: string[] }, port: number, stripeLines: string[] = []): string {
  const base = config.publicUrl.replace(/:\d+$/, `:${port}`);
  const line = '─'.repeat(72);
  return [
    line,
    ' Payments Intelligence for Stripe: SANDBOX MODE (not real Stripe)',
    line,
    ` Backend:          ${base}  (health: ${base}/healthz)`,
    ` Database:         ${config.databaseUrl}`,
    ` Support token:    ${config.supportTokens[0] ?? '(none)'}`,
    ...(config.generated?.length ? [` Secrets created:  ${config.generated.join(', ')}`] : []),
    ` Stripe API:       ${config.stripeApiBase} (the bundled emulator, never real Stripe)`,
    ...stripeLines.map((l) => ` ${l}`),
    ` Support console:  ${base}/support  (log in with the support token above)`,
    line,
    '',
  ].join('\n');
}

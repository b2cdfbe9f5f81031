/** What a running emulator tells about itself on its control API (`GET /_emulator/`). */
export interface RunningEmulator {
  apiBase: string;
  controlUrl: string;
  platformKeyTest: string;
  clientIdTest: string;
  redirectUris: string[];
}

interface Overview {
  app?: { clientIds?: { test?: string }; redirectUris?: string[] };
  accounts?: { platform?: boolean; keys?: { key: string; kind: string; mode: string }[] }[];
}

/** The Stripe emulator listening at `url`, or null when what listens there is something else (or nothing). */
export async function probeEmulator(url: string): Promise<RunningEmulator | null> {
  try {
    const res = await fetch(`${url}/_emulator/`, { signal: AbortSignal.timeout(2_000) });
    if (!res.ok) return null;
    const body = (await res.json()) as Overview;
    const platformKey = body.accounts?.find((a) => a.platform)?.keys?.find((k) => k.kind === 'platform' && k.mode === 'test')?.key;
    const clientId = body.app?.clientIds?.test;
    if (!platformKey || !clientId) return null;
    return {
      apiBase: url,
      controlUrl: `${url}/_emulator`,
      platformKeyTest: platformKey,
      clientIdTest: clientId,
      redirectUris: body.app?.redirectUris ?? [],
    };
  } catch {
    return null;
  }
}

/** Lets the running emulator send OAuth callbacks to this backend too (it keeps the ones it has). */
export async function addRedirectUri(emulator: RunningEmulator, uri: string): Promise<void> {
  if (emulator.redirectUris.includes(uri)) return;
  await fetch(`${emulator.controlUrl}/app`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ redirect_uris: [...emulator.redirectUris, uri] }),
    signal: AbortSignal.timeout(2_000),
  });
}

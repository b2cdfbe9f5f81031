import type { AppStatus, BackendClient, SettingsWithPause } from '../../app/api/backend-client';
import type { Insights } from '../../shared/contracts/app-api';
import type { ConnectionStatus } from '../../shared/contracts/connection-status';

export function status(overrides: Partial<ConnectionStatus> = {}): ConnectionStatus & { install_url: string } {
  return {
    id: 'conn_abcdefghijklmnop',
    account_id: 'acct_1Test',
    name: 'Roast & Co',
    country: 'US',
    mode: 'test',
    environment: 'test',
    auth: 'oauth',
    install_source: 'oauth_install',
    merchant_id: null,
    state: 'live',
    state_reason: 'historical import complete (1200 objects); verified',
    state_since: '2026-11-30T10:00:00.000Z',
    connected: true,
    connected_since: '2026-11-30T09:00:00.000Z',
    token: { expires_at: '2026-11-30T11:00:00.000Z', refreshed_at: null },
    missing_permissions: [],
    import: { done: true, verification: 'verified', resources: [] },
    events: {
      last_event_at: '2026-11-30T10:59:30.000Z',
      lag_seconds: 30,
      last_polled_at: null,
      last_checked_at: null,
      delayed: null,
      by_source: { poll: 3 },
      backlog: 0,
      failed: 0,
    },
    reports: [
      {
        family: 'balance_change_from_activity.itemized',
        report_type: 'balance_change_from_activity.itemized.4',
        last_interval: { start: '2026-08-01T00:00:00.000Z', end: '2026-11-30T00:00:00.000Z' },
        pending: 0,
        last_failure: null,
        reconciliation: { status: 'reconciled', reason: null, differences: [] },
      },
    ],
    last_error: null,
    dead_jobs: [],
    what_to_do: null,
    actions: ['pause', 'resync', 'disconnect'],
    reauthorize_url: null,
    install_url: 'https://backend.example/oauth/install?mode=test',
    ...overrides,
  };
}

export const insights: Insights = {
  period: { from: '2026-10-31T00:00:00.000Z', to: '2026-11-30T00:00:00.000Z', days: 30 },
  freshness: { last_synced_at: '2026-11-30T09:00:00.000Z', last_event_at: '2026-11-30T10:59:00.000Z' },
  payments: {
    attempted: 200,
    succeeded: 184,
    success_rate: 0.92,
    top_decline_codes: [
      { code: 'insufficient_funds', count: 1_016 },
      { code: 'card_declined', count: 16 },
    ],
  },
  refunds: { count: 22, rate: 0.1196 },
  disputes: { count: 3, rate: 0.0163, early_fraud_warnings: 2 },
  // A Japanese merchant who also sells in dollars: yen have no minor unit, and the two are never summed.
  fees: [
    { currency: 'jpy', volume: 123_456_789, fees: 4_320_988, share: 0.035 },
    { currency: 'usd', volume: 1_000_000, fees: 32_000, share: 0.032 },
  ],
  daily: [
    { date: '2026-11-28', attempted: 10, succeeded: 9, success_rate: 0.9, disputes: 0 },
    { date: '2026-11-29', attempted: 0, succeeded: 0, success_rate: null, disputes: 1 },
  ],
  daily_volume: [
    { date: '2026-11-28', currency: 'jpy', amount: 50_000 },
    { date: '2026-11-28', currency: 'usd', amount: 12_345 },
  ],
  payouts: {
    upcoming: [
      { id: 'po_1', amount: 45_000, currency: 'usd', arrival_date: '2026-12-02T00:00:00.000Z' },
      { id: 'po_2', amount: 2_500_000, currency: 'jpy', arrival_date: '2026-12-02T00:00:00.000Z' },
    ],
    recent: [],
  },
};

/** A stand-in for the backend, passed through the client's one seam (the provider). */
export function fakeClient(
  parts: Partial<{ status: AppStatus | Error; settings: SettingsWithPause; insights: Insights; saveError: string }> = {},
) {
  const calls: string[] = [];
  const client: BackendClient = {
    status: async () => {
      calls.push('status');
      if (parts.status instanceof Error) throw parts.status;
      return parts.status ?? status();
    },
    settings: async () =>
      parts.settings ?? { reporting_timezone: 'UTC', history_since: null, report_families: ['payouts.itemized'], paused: false },
    saveSettings: async (s) => {
      calls.push(`save:${JSON.stringify(s)}`);
      if (parts.saveError) throw new Error(parts.saveError);
      return { ...s, paused: false };
    },
    insights: async (days) => {
      calls.push(`insights:${days}`);
      return parts.insights ?? insights;
    },
    act: async (action) => {
      calls.push(`act:${action}`);
      return status();
    },
  };
  return { client, calls };
}

export const flush = () => new Promise((r) => setTimeout(r, 0));

import type { AuthKind, ConnectionAction, ConnectionState } from '../connection-states.js';

/** What support staff, the CLI and the app see of a connection. Never carries a secret. */
export interface ConnectionStatus {
  id: string;
  account_id: string;
  name: string | null;
  country: string | null;
  mode: 'test' | 'live';
  auth: AuthKind;
  install_source: string | null;
  merchant_id: string | null;
  state: ConnectionState;
  state_reason: string | null;
  state_since: string;
  connected: boolean;
  connected_since: string;
  token: { expires_at: string | null; refreshed_at: string | null } | null;
  missing_permissions: string[];
  import: {
    done: boolean;
    resources: {
      resource: string;
      state: string;
      objects: number;
      pages: number;
      estimated_total: number | null;
      eta_seconds: number | null;
      /** null until verified; then whether every id Stripe lists was stored. */
      verified: boolean | null;
      missing: number;
      last_error: string | null;
      finished_at: string | null;
    }[];
  };
  events: {
    /** Creation time of the newest event applied. */
    last_event_at: string | null;
    /** Now minus that time. */
    lag_seconds: number | null;
    last_polled_at: string | null;
    by_source: Record<string, number>;
    /** Events stored but not yet applied, and those given up on. */
    backlog: number;
    failed: number;
  };
  reports: {
    family: string;
    report_type: string | null;
    last_interval: { start: string; end: string } | null;
    pending: number;
    last_failure: string | null;
    /** 'reconciled', 'differences' (with `differences`), or null when not checked. */
    reconciliation: { status: string; differences: unknown[] } | null;
  }[];
  last_error: { message: string; at: string } | null;
  what_to_do: string | null;
  actions: ConnectionAction[];
  reauthorize_url: string | null;
}

export interface StateChangeView {
  from: ConnectionState | null;
  to: ConnectionState;
  reason: string;
  at: string;
}

export interface ConnectionDetail extends ConnectionStatus {
  history: StateChangeView[];
}

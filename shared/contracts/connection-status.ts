import type { AuthKind, ConnectionAction, ConnectionState } from '../connection-states.js';

/**
 * Verification of an import, which runs after the connection is live: `waiting` to start,
 * `verifying`, `verified` (Stripe holds nothing we lack, below the oldest stored object or
 * inside the range), or `repaired` (it found objects we lacked and stored them).
 */
export type VerificationState = 'waiting' | 'verifying' | 'verified' | 'repaired';

export interface ResourceVerification {
  state: VerificationState;
  expected: number | null;
  stored: number | null;
  found_missing: number;
  repaired: number;
  verified_at: string | null;
}

/** What support staff, the CLI and the app see of a connection. Never carries a secret. */
export interface ConnectionStatus {
  id: string;
  account_id: string;
  name: string | null;
  country: string | null;
  mode: 'test' | 'live';
  /** Whose platform credentials: test or live mode, or the app's managed sandbox
   *  (an install into a Stripe sandbox; its data is test-mode data). */
  environment: 'test' | 'live' | 'sandbox';
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
    /** Every page of every resource is stored (the connection can be live while verification runs). */
    done: boolean;
    /** Where verification of the whole import stands, once done: the least advanced resource's. */
    verification: VerificationState | null;
    resources: {
      resource: string;
      state: string;
      objects: number;
      pages: number;
      /** null while the oldest part of the history is not reached yet (nothing else bounds it). */
      estimated_total: number | null;
      /** From the pace since this import took the run up; null when unknown (no recent progress, or no total). */
      eta_seconds: number | null;
      /** When the last page was stored (a running import whose pages stopped advancing is stalled). */
      last_progress_at: string | null;
      /**
       * For a finished run: whether Stripe was asked again and what it answered. `expected`: objects
       * Stripe holds in the history (null until verified); `stored`: of those, how many we had;
       * `found_missing`: how many we lacked; `repaired`: of those, how many are stored now.
       */
      verification: ResourceVerification | null;
      last_error: string | null;
      finished_at: string | null;
    }[];
  };
  events: {
    /** Creation time of the newest event applied. */
    last_event_at: string | null;
    /** How long the newest event took from its creation at Stripe to our database (not the time since it). */
    lag_seconds: number | null;
    /** The last good poll of Stripe's events. */
    last_polled_at: string | null;
    /** The last time we asked Stripe for events, good or not: freshness is this plus `last_event_at`. */
    last_checked_at: string | null;
    /** Polls have been failing: since when, why, and the last good poll. Null while they work. */
    delayed: { since: string; last_error: string; last_good_poll_at: string | null } | null;
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
    /** `reconciled`, `differences` (named), or `not_reconciled` with why ("column X unknown"): never a silent 0. */
    reconciliation: { status: string; reason: string | null; differences: unknown[] } | null;
  }[];
  last_error: { message: string; at: string } | null;
  /** Background jobs that failed every retry (pg-boss backend), newest first. */
  dead_jobs: { job: string; error: string; attempts: number; at: string }[];
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

/** Who a connection is and where it stands: shared by the full status and the list's summary. */
export type ConnectionIdentity = Pick<
  ConnectionStatus,
  | 'id'
  | 'account_id'
  | 'name'
  | 'mode'
  | 'environment'
  | 'auth'
  | 'install_source'
  | 'merchant_id'
  | 'state'
  | 'state_reason'
  | 'state_since'
  | 'connected'
  | 'last_error'
>;

/** A row of the support console's list: enough to triage, cheap enough for 10,000 connections. */
export interface ConnectionSummary extends ConnectionIdentity {
  import: { done: boolean; objects: number; estimated_total: number | null; resources: number; failed: number };
  events: {
    last_event_at: string | null;
    lag_seconds: number | null;
    last_polled_at: string | null;
    delayed_since: string | null;
    failed: number;
  };
}

export interface ConnectionList {
  data: ConnectionSummary[];
  total: number;
  limit: number;
  offset: number;
}

/** What the console's health overview puts first: connections that need someone. */
export interface SupportOverview {
  total: number;
  by_state: Partial<Record<ConnectionState, number>>;
  attention: (ConnectionSummary & { reasons: string[] })[];
}

/** A connection's recent activity, for the console's detail page. */
export interface ConnectionActivity {
  /** Hourly, oldest first, over the last 24 h: how long events took from Stripe to our database. */
  lag_history: { hour: string; events: number; avg_lag_seconds: number | null; max_lag_seconds: number | null }[];
  /** Webhook and poll deliveries by source (`deliveries` counts duplicates too). */
  deliveries: { source: string; events: number; deliveries: number; last_received_at: string | null }[];
  /** Which secrets are stored and when they last changed; never their values. */
  secrets: { kind: string; rotated_at: string }[];
  /** Resources that can be resynced one at a time. */
  resources: string[];
}

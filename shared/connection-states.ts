/** The states a connection moves through (DESIGN.md §5). Shared by the backend and the app. */
export const CONNECTION_STATES = [
  'connecting',
  'backfilling',
  'live',
  'degraded',
  'reauthorization_required',
  'permission_missing',
  'paused',
  'disconnected',
] as const;

export type ConnectionState = (typeof CONNECTION_STATES)[number];

export const AUTH_KINDS = ['oauth', 'api_key'] as const;
export type AuthKind = (typeof AUTH_KINDS)[number];

/** States in which background work for the connection must not run. */
export const STOPPED_STATES: readonly ConnectionState[] = [
  'reauthorization_required',
  'permission_missing',
  'paused',
  'disconnected',
];

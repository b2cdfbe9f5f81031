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

export type AuthKind = 'oauth' | 'api_key';

/** States in which background work for the connection must not run. */
export const STOPPED_STATES: readonly ConnectionState[] = ['reauthorization_required', 'permission_missing', 'paused', 'disconnected'];

/** States in which the connection is connected and its data flows (or is about to). */
export const ACTIVE_STATES: readonly ConnectionState[] = ['connecting', 'backfilling', 'live', 'degraded'];

export const CONNECTION_ACTIONS = ['pause', 'resume', 'resync', 'disconnect', 'reauthorize'] as const;
export type ConnectionAction = (typeof CONNECTION_ACTIONS)[number];

/** What support staff (and the app) may do with a connection in a given state. */
export function validActions(state: ConnectionState, authKind: AuthKind): ConnectionAction[] {
  const actions: ConnectionAction[] = [];
  if (ACTIVE_STATES.includes(state)) actions.push('pause', 'resync');
  if (state === 'paused') actions.push('resume');
  if (state === 'permission_missing') actions.push('resync');
  if (state === 'reauthorization_required' && authKind === 'oauth') actions.push('reauthorize');
  if (state !== 'disconnected') actions.push('disconnect');
  return actions;
}

/** Why reports cannot be asked for in this state (a sentence for people), or null when they can. */
export function reportsRefusal(state: ConnectionState): string | null {
  if (state === 'disconnected')
    return 'Reports cannot run: the connection is disconnected and its credentials were deleted. Reconnect it first.';
  if (state === 'reauthorization_required')
    return 'Reports cannot run: Stripe no longer accepts the stored credentials. Reconnect the account first.';
  if (state === 'paused') return 'Reports cannot run while the connection is paused. Resume it first.';
  return null;
}

import { useCallback, useState } from 'react';
import type { Insights } from '../../shared/contracts/app-api';
import { useBackendClient } from '../api/BackendClientContext';
import { useRemote } from './useRemote';

export const PERIODS = [7, 30, 90] as const;

/** The insights of a chosen period. */
export function useInsights() {
  const client = useBackendClient();
  const [days, setDays] = useState<number>(30);
  const load = useCallback(() => client.insights(days), [client, days]);
  return { ...useRemote<Insights>(load), days, setDays };
}

import { createContext, useContext, useMemo, type ReactNode } from 'react';
import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import { createBackendClient, type BackendClient } from './backend-client';

const BackendClientContext = createContext<BackendClient | null>(null);

/** Provides the signed backend client; tests provide their own through `client`. */
export const BackendClientProvider = ({
  context,
  client,
  children,
}: {
  context?: ExtensionContextValue;
  client?: BackendClient;
  children: ReactNode;
}) => {
  const value = useMemo(() => client ?? createBackendClient(context!), [client, context]);
  return <BackendClientContext.Provider value={value}>{children}</BackendClientContext.Provider>;
};

export const useBackendClient = (): BackendClient => {
  const client = useContext(BackendClientContext);
  if (!client) throw new Error('useBackendClient needs a BackendClientProvider');
  return client;
};

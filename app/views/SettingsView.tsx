import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import { BackendClientProvider } from '../api/BackendClientContext';
import { SettingsPage } from '../pages/SettingsPage';

const SettingsView = (context: ExtensionContextValue) => (
  <BackendClientProvider context={context}>
    <SettingsPage />
  </BackendClientProvider>
);

export default SettingsView;

import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import { BackendClientProvider } from '../api/BackendClientContext';
import { DrawerPage } from '../pages/DrawerPage';

const DrawerView = (context: ExtensionContextValue) => (
  <BackendClientProvider context={context}>
    <DrawerPage />
  </BackendClientProvider>
);

export default DrawerView;

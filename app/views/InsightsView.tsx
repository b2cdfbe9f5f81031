import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';
import { BackendClientProvider } from '../api/BackendClientContext';
import { InsightsPage } from '../pages/InsightsPage';

const InsightsView = (context: ExtensionContextValue) => (
  <BackendClientProvider context={context}>
    <InsightsPage />
  </BackendClientProvider>
);

export default InsightsView;

import { Box, ContextView } from '@stripe/ui-extension-sdk/ui';
import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';

/**
 * Drawer view. The connection status, import progress and insights arrive with the app issue;
 * until then it tells the merchant what the app will do.
 */
const DrawerView = ({ environment }: ExtensionContextValue) => (
  <ContextView title="Payments Intelligence">
    <Box css={{ stack: 'y', gap: 'medium' }}>
      <Box>Connect this account to import your payment history and keep it in sync automatically.</Box>
      <Box css={{ color: 'secondary' }}>
        {environment.mode === 'live' ? 'Live mode' : 'Test mode'}: setup is coming in the next release.
      </Box>
    </Box>
  </ContextView>
);

export default DrawerView;

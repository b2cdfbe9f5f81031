import { Banner, Box, Button, Inline, Spinner } from '@stripe/ui-extension-sdk/ui';

export const Loading = ({ what }: { what: string }) => (
  <Box css={{ stack: 'x', gap: 'small', alignY: 'center' }}>
    <Spinner />
    <Inline>Loading {what}…</Inline>
  </Box>
);

export const LoadError = ({ message, onRetry }: { message: string; onRetry: () => void }) => (
  <Box css={{ stack: 'y', gap: 'small' }}>
    <Banner type="critical" title="Could not reach Payments Intelligence" description={message} />
    <Button onPress={onRetry}>Try again</Button>
  </Box>
);

export const Empty = ({ children }: { children: string }) => <Box css={{ color: 'secondary' }}>{children}</Box>;

import { render } from '@stripe/ui-extension-sdk/testing';
import { Banner, Button, Spinner } from '@stripe/ui-extension-sdk/ui';
import { BackendClientProvider } from '../../app/api/BackendClientContext';
import { DrawerPage } from '../../app/pages/DrawerPage';
import { fakeClient, flush, status } from './fixtures';
import type { AppStatus } from '../../app/api/backend-client';

async function drawer(s: AppStatus | Error) {
  const fake = fakeClient({ status: s });
  const view = render(
    <BackendClientProvider client={fake.client}>
      <DrawerPage />
    </BackendClientProvider>,
  );
  await flush();
  await view.update();
  return { ...view, calls: fake.calls };
}

describe('drawer view', () => {
  it('shows loading first', () => {
    const { wrapper } = render(
      <BackendClientProvider client={fakeClient().client}>
        <DrawerPage />
      </BackendClientProvider>,
    );
    expect(wrapper).toContainComponent(Spinner);
  });

  it('invites an unconnected account to connect, with the install link', async () => {
    const { wrapper } = await drawer({ connected: false, install_url: 'https://backend.example/oauth/install?mode=test' });
    expect(wrapper).toContainText('Connect this account');
    expect(wrapper).toContainComponent(Button, { href: 'https://backend.example/oauth/install?mode=test' });
  });

  it('shows import progress per resource with counts and ETA while backfilling', async () => {
    const { wrapper } = await drawer(
      status({
        state: 'backfilling',
        import: {
          done: false,
          verification: null,
          resources: [
            {
              resource: 'charges',
              state: 'running',
              objects: 4200,
              pages: 42,
              estimated_total: 10000,
              eta_seconds: 45,
              last_progress_at: null,
              verification: null,
              last_error: null,
              finished_at: null,
            },
            {
              resource: 'refunds',
              state: 'running',
              objects: 300,
              pages: 3,
              estimated_total: null,
              eta_seconds: null,
              last_progress_at: null,
              verification: null,
              last_error: null,
              finished_at: null,
            },
            {
              resource: 'payouts',
              state: 'succeeded',
              objects: 120,
              pages: 2,
              estimated_total: 120,
              eta_seconds: null,
              last_progress_at: null,
              verification: { state: 'verifying', expected: null, stored: null, found_missing: 0, repaired: 0, verified_at: null },
              last_error: null,
              finished_at: 'x',
            },
            {
              resource: 'disputes',
              state: 'succeeded',
              objects: 12,
              pages: 1,
              estimated_total: 12,
              eta_seconds: null,
              last_progress_at: null,
              verification: { state: 'repaired', expected: 12, stored: 10, found_missing: 2, repaired: 2, verified_at: 'x' },
              last_error: null,
              finished_at: 'x',
            },
          ],
        },
      }),
    );
    expect(wrapper).toContainText('4200 of ~10000 · about 45 s left');
    // The oldest refunds are not reached yet: no total is known, so none is made up.
    expect(wrapper).toContainText('300 so far · time left unknown');
    expect(wrapper).toContainText('120 imported · verifying with Stripe');
    expect(wrapper).toContainText('12 imported · verified: 2 of 12 were missing, now stored');
    expect(wrapper).not.toContainComponent(Banner);
  });

  it('shows freshness (last checked, last event) and report reconciliation when live', async () => {
    const secondsAgo = (s: number) => new Date(Date.now() - s * 1000).toISOString();
    const quiet = status({ events: { ...status().events, last_checked_at: secondsAgo(4), last_event_at: secondsAgo(3 * 3600) } });
    const { wrapper } = await drawer(quiet);
    // A quiet merchant: checked seconds ago, last event hours ago. Neither is "lag".
    expect(wrapper).toContainText('Last checked');
    expect(wrapper).toContainText('4 s ago');
    expect(wrapper).toContainText('3 h ago');
    expect(wrapper).toContainText('up to 2026-11-30 · reconciled');
    expect(wrapper).not.toContainText('Data delayed');
  });

  it('says the data is delayed while polls of Stripe fail', async () => {
    const { wrapper } = await drawer(
      status({
        state: 'degraded',
        events: {
          ...status().events,
          delayed: { since: '2026-11-30T10:58:00.000Z', last_error: 'Stripe answered 429', last_good_poll_at: null },
        },
      }),
    );
    expect(wrapper).toContainText('Data delayed');
    expect(wrapper).toContainText('10:58 UTC');
  });

  it('asks for a reconnect when reauthorization is required', async () => {
    const { wrapper } = await drawer(
      status({
        state: 'reauthorization_required',
        state_reason: 'Stripe refused the refresh token',
        what_to_do: 'Reinstall the app.',
        actions: ['reauthorize', 'disconnect'],
        reauthorize_url: 'https://backend.example/oauth/install?mode=test',
      }),
    );
    const banner = wrapper.find(Banner)!;
    expect(banner.props).toMatchObject({
      type: 'critical',
      title: 'Reconnect needed',
      description: 'Stripe refused the refresh token Reinstall the app.',
    });
    expect(wrapper).toContainComponent(Button, { href: 'https://backend.example/oauth/install?mode=test' });
  });

  it('names missing permissions and offers a retry that calls the backend', async () => {
    const { wrapper, calls, update } = await drawer(
      status({
        state: 'permission_missing',
        state_reason: 'import of payouts stopped: the credentials lack payout_read',
        what_to_do: 'Give the API key read access to: payout_read; then resync.',
        actions: ['resync', 'disconnect'],
        missing_permissions: ['payout_read'],
      }),
    );
    expect(wrapper.find(Banner)!.props).toMatchObject({ title: 'Some data cannot be read' });
    expect(String(wrapper.find(Banner)!.props.description)).toContain('payout_read; then resync');
    const retry = wrapper.findAll(Button).find((b) => b.text === 'Retry now')!;
    retry.trigger('onPress', {} as never);
    await flush();
    await update();
    expect(calls).toContain('act:resync');
  });

  it('says when the backend cannot be reached, with a retry', async () => {
    const { wrapper } = await drawer(new Error('Request failed (503)'));
    expect(wrapper.find(Banner)!.props).toMatchObject({ type: 'critical', description: 'Request failed (503)' });
    expect(wrapper.findAll(Button).map((b) => b.text)).toContain('Try again');
  });
});

import { render } from '@stripe/ui-extension-sdk/testing';
import { BarChart, LineChart, Select, SettingsView, Spinner, Switch, TextField } from '@stripe/ui-extension-sdk/ui';
import { BackendClientProvider } from '../../app/api/BackendClientContext';
import { InsightsPage } from '../../app/pages/InsightsPage';
import { SettingsPage } from '../../app/pages/SettingsPage';
import { fakeClient, flush, insights } from './fixtures';

async function mount(element: JSX.Element) {
  const view = render(element);
  await flush();
  await view.update();
  return view;
}

describe('settings view', () => {
  it('loads, then saves the form through the backend', async () => {
    const fake = fakeClient();
    const { wrapper, update } = await mount(
      <BackendClientProvider client={fake.client}>
        <SettingsPage />
      </BackendClientProvider>,
    );
    expect(wrapper).toContainComponent(TextField, { name: 'reporting_timezone', defaultValue: 'UTC' });
    wrapper.find(SettingsView)!.trigger('onSave', { reporting_timezone: 'Europe/Berlin', history_since: '2025-01-31' });
    await flush();
    await update();
    expect(fake.calls).toContain(
      'save:{"reporting_timezone":"Europe/Berlin","history_since":"2025-01-31","report_families":["payouts.itemized"]}',
    );
    expect(wrapper.find(SettingsView)!.props.statusMessage).toBe('Saved');
  });

  it("shows the backend's validation message when saving fails", async () => {
    const fake = fakeClient({ saveError: 'reporting_timezone: "Mars/Olympus" is not a time zone' });
    const { wrapper, update } = await mount(
      <BackendClientProvider client={fake.client}>
        <SettingsPage />
      </BackendClientProvider>,
    );
    wrapper.find(SettingsView)!.trigger('onSave', { reporting_timezone: 'Mars/Olympus', history_since: '' });
    await flush();
    await update();
    expect(wrapper).toContainText('"Mars/Olympus" is not a time zone');
    expect(wrapper.find(SettingsView)!.props.statusMessage).toBe('Not saved');
  });

  it('pauses sync from the switch', async () => {
    const fake = fakeClient();
    const { wrapper, update } = await mount(
      <BackendClientProvider client={fake.client}>
        <SettingsPage />
      </BackendClientProvider>,
    );
    wrapper.find(Switch)!.trigger('onChange', { target: { checked: true } } as never);
    await flush();
    await update();
    expect(fake.calls).toContain('act:pause');
  });
});

describe('insights view', () => {
  it('shows loading, then each figure with its period and freshness', async () => {
    const fake = fakeClient();
    const early = render(
      <BackendClientProvider client={fakeClient().client}>
        <InsightsPage />
      </BackendClientProvider>,
    );
    expect(early.wrapper).toContainComponent(Spinner);
    const { wrapper } = await mount(
      <BackendClientProvider client={fake.client}>
        <InsightsPage />
      </BackendClientProvider>,
    );
    expect(wrapper).toContainText('2026-10-31 to 2026-11-30 (UTC) · data as of 2026-11-30 10:59:00 UTC');
    expect(wrapper).toContainText('92.0% of 200 payments');
    // Decline codes in words, with thousands separators.
    expect(wrapper).toContainText('Insufficient funds (1,016)');
    expect(wrapper).toContainText('Declined by the card issuer (16)');
    expect(wrapper).not.toContainText('card_declined');
  });

  it('shows money exactly in each currency, every currency apart, never divided by 100 blindly', async () => {
    const { wrapper } = await mount(
      <BackendClientProvider client={fakeClient().client}>
        <InsightsPage />
      </BackendClientProvider>,
    );
    expect(wrapper).toContainText('¥4,320,988, 3.5% of ¥123,456,789');
    expect(wrapper).toContainText('$320.00, 3.2% of $10,000.00');
    expect(wrapper).toContainText('$450.00 on 2026-12-02');
    expect(wrapper).toContainText('¥2,500,000 on 2026-12-02');
    expect(wrapper).not.toContainText('1234567.89');
  });

  it('draws daily volume per currency, the success rate and disputes with the SDK charts', async () => {
    const { wrapper } = await mount(
      <BackendClientProvider client={fakeClient().client}>
        <InsightsPage />
      </BackendClientProvider>,
    );
    const bars = wrapper.findAll(BarChart);
    // One volume chart per currency (yen are whole; dollars in major units), then disputes.
    expect(bars.map((b) => b.props.data)).toEqual([
      [{ date: '2026-11-28', amount: 50_000 }],
      [{ date: '2026-11-28', amount: 123.45 }],
      [
        { date: '2026-11-28', disputes: 0 },
        { date: '2026-11-29', disputes: 1 },
      ],
    ]);
    expect(wrapper).toContainText('Daily volume (JPY)');
    expect(wrapper.find(LineChart)!.props.data).toEqual([{ date: '2026-11-28', rate: 90 }]);
  });

  it('asks for another period and says when there is nothing to show', async () => {
    const fake = fakeClient({
      insights: { ...insights, payments: { attempted: 0, succeeded: 0, success_rate: null, top_decline_codes: [] } },
    });
    const { wrapper, update } = await mount(
      <BackendClientProvider client={fake.client}>
        <InsightsPage />
      </BackendClientProvider>,
    );
    expect(wrapper).toContainText('No payments in this period yet.');
    wrapper.find(Select)!.trigger('onChange', { target: { value: '90' } } as never);
    await flush();
    await update();
    expect(fake.calls).toEqual(['insights:30', 'insights:90']);
  });
});

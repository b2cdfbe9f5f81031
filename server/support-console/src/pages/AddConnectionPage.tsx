import { useState, type FormEvent } from 'react';
import { ApiError, supportApi } from '../api.js';
import { CopyButton } from '../components/CopyButton.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { Layout } from '../components/Layout.js';
import { StateBadge } from '../components/StateBadge.js';
import { EVENT_GROUPS, SUBSCRIBED_EVENT_TYPES } from '../../../../shared/event-types.js';

type Saved = Awaited<ReturnType<typeof supportApi.add>>;
const FIELDS = ['name', 'api_key', 'merchant_id', 'webhook_secret'] as const;

/** The seed's "Connections" page: a name and a restricted key, for merchants without the app. */
export function AddConnectionPage() {
  const [form, setForm] = useState<Record<(typeof FIELDS)[number], string>>({ name: '', api_key: '', merchant_id: '', webhook_secret: '' });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<Saved | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = Object.fromEntries(FIELDS.filter((f) => form[f].trim()).map((f) => [f, form[f].trim()]));
      setSaved(await supportApi.add(body as { name: string; api_key: string }));
    } catch (err) {
      setError(err instanceof ApiError ? err.message : `Could not save: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  const field = (name: (typeof FIELDS)[number]) => ({
    id: name,
    name,
    value: form[name],
    'aria-invalid': error ? true : undefined,
    onChange: (e: { target: { value: string } }) => setForm({ ...form, [name]: e.target.value }),
  });

  if (saved) {
    const c = saved.connection;
    return (
      <Layout title="Connection added">
        <p className="lead" role="status">
          <a href={`/support/connections/${c.id}`}>{c.name ?? c.account_id}</a> ({c.account_id}) is <StateBadge state={c.state} />.
        </p>
        {c.missing_permissions.length > 0 && (
          <p className="error" role="alert">
            The key is missing read access to: {c.missing_permissions.join(', ')}. {c.what_to_do}
          </p>
        )}
        {saved.warnings.map((w) => (
          <p key={w} className="warn">
            {w}
          </p>
        ))}
        {saved.webhook_url ? (
          <section aria-labelledby="webhook-heading">
            <h2 id="webhook-heading">Set up the merchant's webhook endpoint</h2>
            <p>In the Stripe Dashboard (Developers → Webhooks → Add endpoint), use this URL:</p>
            <p className="copy-row">
              <code data-testid="webhook-url">{saved.webhook_url}</code>{' '}
              <CopyButton value={saved.webhook_url} label="Copy the webhook URL" />
            </p>
            <p>
              Select these {SUBSCRIBED_EVENT_TYPES.length} event types:{' '}
              <CopyButton value={SUBSCRIBED_EVENT_TYPES.join('\n')} label="Copy all event types" />
            </p>
            <div className="event-groups">
              {Object.entries(EVENT_GROUPS).map(([group, types]) => (
                <div key={group}>
                  <h3>{group}</h3>
                  <ul>
                    {types.map((t) => (
                      <li key={t}>
                        <code>{t}</code>
                      </li>
                    ))}
                  </ul>
                </div>
              ))}
            </div>
            <p>Then paste the endpoint's signing secret (whsec_…) on the connection's page, unless you gave it here.</p>
          </section>
        ) : (
          <p>No merchant id was given, so no webhook endpoint is needed: events are read from the account directly.</p>
        )}
        <p>
          <a href={`/support/connections/${c.id}`}>Open the connection</a> · <a href="/support/add">Add another</a>
        </p>
      </Layout>
    );
  }

  return (
    <Layout title="Add a connection">
      <p>
        For merchants who do not use the Stripe App: create a restricted key in their Stripe Dashboard with read access to charges, payment
        intents, refunds, disputes, payouts, balance, balance transactions, Radar and reports.
      </p>
      <form onSubmit={submit} className="stacked" aria-describedby="add-error">
        <label htmlFor="name">Name</label>
        <input {...field('name')} required maxLength={200} />
        <label htmlFor="api_key">Restricted API key</label>
        <input {...field('api_key')} type="password" autoComplete="off" required placeholder="rk_live_…" />
        <label htmlFor="merchant_id">
          Merchant id <span className="muted">(optional; gives the merchant their own webhook URL)</span>
        </label>
        <input {...field('merchant_id')} pattern="[A-Za-z0-9_.\-]+" maxLength={128} />
        <label htmlFor="webhook_secret">
          Webhook signing secret <span className="muted">(optional)</span>
        </label>
        <input {...field('webhook_secret')} type="password" autoComplete="off" placeholder="whsec_…" />
        <button type="submit" disabled={busy}>
          {busy ? 'Checking the key with Stripe…' : 'Save connection'}
        </button>
        <div id="add-error">
          <ErrorNotice error={error} />
        </div>
      </form>
    </Layout>
  );
}

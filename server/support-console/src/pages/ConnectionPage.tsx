import { useState } from 'react';
import { supportApi, type ConsoleDetail } from '../api.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { Layout } from '../components/Layout.js';
import { StateBadge } from '../components/StateBadge.js';
import { ConnectionActions } from '../components/ConnectionActions.js';
import { ImportSection, EventsSection, ReportsSection, HistorySection, SecretsSection } from '../components/DetailSections.js';
import { usePolling } from '../hooks.js';
import { ago, when } from '../format.js';

/** One connection in plain language, refreshed every two seconds, with what can be done to it. */
export function ConnectionPage({ id }: { id: string }) {
  const detail = usePolling(() => supportApi.detail(id), 2000, [id]);
  const [notice, setNotice] = useState<string | null>(null);
  const [actionError, setActionError] = useState<Error | null>(null);
  const run = async (what: string, action: () => Promise<unknown>) => {
    setActionError(null);
    setNotice(null);
    try {
      await action();
      setNotice(`${what}: done.`);
      detail.reload();
    } catch (err) {
      setActionError(err as Error);
    }
  };
  const c: ConsoleDetail | null = detail.data;
  return (
    <Layout title={c ? (c.name ?? c.account_id) : 'Connection'}>
      <ErrorNotice error={detail.error} />
      {!c && !detail.error && <p aria-live="polite">Loading…</p>}
      {c && (
        <>
          <section aria-labelledby="summary" className="summary">
            <h2 id="summary" className="visually-hidden">
              Summary
            </h2>
            <p className="lead">
              <StateBadge state={c.state} />{' '}
              {c.connected
                ? `Connected since ${when(c.connected_since)}`
                : c.state === 'paused'
                  ? `Paused (connected since ${when(c.connected_since)})`
                  : 'Not connected'}{' '}
              · {c.environment === 'sandbox' ? 'Stripe sandbox (managed sandbox credentials)' : `${c.mode} mode`} ·{' '}
              {c.auth === 'oauth' ? 'Stripe App (OAuth)' : 'API key'}
            </p>
            <dl className="facts">
              <dt>Account</dt>
              <dd className="mono">{c.account_id}</dd>
              {c.merchant_id && (
                <>
                  <dt>Merchant id</dt>
                  <dd className="mono">{c.merchant_id}</dd>
                </>
              )}
              <dt>State</dt>
              <dd>
                {c.state_reason ?? '—'} ({ago(c.state_since)})
              </dd>
              {c.token && (
                <>
                  <dt>Access token</dt>
                  <dd>
                    expires {when(c.token.expires_at)}, refreshed {ago(c.token.refreshed_at)}
                  </dd>
                </>
              )}
              {c.missing_permissions.length > 0 && (
                <>
                  <dt>Missing permissions</dt>
                  <dd>{c.missing_permissions.join(', ')}</dd>
                </>
              )}
            </dl>
            {(c.last_error || c.what_to_do || c.dead_jobs.length > 0) && (
              <div className="callout" role="status">
                {c.last_error && (
                  <p>
                    <strong>Last error</strong> ({ago(c.last_error.at)}): {c.last_error.message}
                  </p>
                )}
                {c.what_to_do && (
                  <p>
                    <strong>What to do:</strong> {c.what_to_do}
                  </p>
                )}
                {c.dead_jobs.map((d) => (
                  <p key={`${d.job}-${d.at}`}>
                    <strong>Gave up on {d.job}</strong> after {d.attempts} attempts ({ago(d.at)}): {d.error}
                  </p>
                ))}
              </div>
            )}
          </section>
          <ConnectionActions connection={c} run={run} />
          <div aria-live="polite" className="notice">
            {notice}
          </div>
          <ErrorNotice error={actionError} />
          <ImportSection connection={c} />
          <EventsSection connection={c} />
          <ReportsSection
            connection={c}
            rerun={(family) => run(`Report rerun (${family ?? 'all'})`, () => supportApi.rerunReports(c.id, family))}
          />
          <SecretsSection connection={c} run={run} />
          <HistorySection connection={c} />
        </>
      )}
    </Layout>
  );
}

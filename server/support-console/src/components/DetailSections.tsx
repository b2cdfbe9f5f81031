import { useState, type FormEvent } from 'react';
import { reportsRefusal } from '../../../../shared/connection-states.js';
import { importVerification, verificationText } from '../../../../shared/verification-text.js';
import { supportApi, type ConsoleDetail } from '../api.js';
import { ago, count, duration, humanize, when } from '../format.js';
import { ProgressBar } from './ProgressBar.js';
import { Sparkline } from './Sparkline.js';
import { StateBadge } from './StateBadge.js';

type Props = { connection: ConsoleDetail };
type Run = (what: string, action: () => Promise<unknown>) => Promise<void>;

export function ImportSection({ connection: c }: Props) {
  return (
    <section aria-labelledby="import-heading">
      <h2 id="import-heading">
        Historical import{' '}
        <span className="status-text" data-testid="import-status">
          {c.import.done
            ? `Import complete · ${verificationText(importVerification(c.import.verification ?? 'waiting', c.import.resources))}`
            : c.import.resources.length === 0
              ? 'Not started'
              : 'Importing'}
        </span>
      </h2>
      {c.import.resources.length === 0 ? (
        <p className="muted">No import has run yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Resource</th>
              <th scope="col">Progress</th>
              <th scope="col">Objects</th>
              <th scope="col">Verified</th>
              <th scope="col">Problem</th>
            </tr>
          </thead>
          <tbody>
            {c.import.resources.map((r) => (
              <tr key={r.resource}>
                <th scope="row">{humanize(r.resource)}</th>
                <td>
                  <ProgressBar
                    label={`Import of ${humanize(r.resource)}`}
                    value={r.objects}
                    max={r.estimated_total}
                    done={r.state === 'succeeded'}
                  />
                  <span className="muted">
                    {r.state}
                    {r.eta_seconds !== null
                      ? ` · about ${duration(r.eta_seconds)} left`
                      : r.state === 'running'
                        ? ' · time left unknown'
                        : ''}
                  </span>
                </td>
                <td>
                  {count(r.objects)}
                  {r.estimated_total !== null ? ` of ~${count(r.estimated_total)}` : ''}
                </td>
                <td data-testid={`verification-${r.resource}`}>{verificationText(r.verification) ?? '—'}</td>
                <td className="error-cell">{r.last_error ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function EventsSection({ connection: c }: Props) {
  return (
    <section aria-labelledby="events-heading">
      <h2 id="events-heading">Events</h2>
      <dl className="facts">
        <dt>Last event</dt>
        <dd data-testid="last-event">
          {c.events.last_event_at ? `${when(c.events.last_event_at)} (${ago(c.events.last_event_at)})` : 'none yet'}
        </dd>
        <dt>Last checked</dt>
        <dd data-testid="last-checked">{c.events.last_checked_at ? ago(c.events.last_checked_at) : 'not yet'}</dd>
        <dt>Lag (created at Stripe → stored)</dt>
        <dd data-testid="lag">{duration(c.events.lag_seconds)}</dd>
        <dt>Last good poll</dt>
        <dd>{ago(c.events.last_polled_at)}</dd>
        {c.events.delayed && (
          <>
            <dt>Delayed</dt>
            <dd className="warn" data-testid="delayed">
              polls failing since {when(c.events.delayed.since)}: {c.events.delayed.last_error}
            </dd>
          </>
        )}
        <dt>Waiting / failed</dt>
        <dd>
          {c.events.backlog} waiting · {c.events.failed} failed
        </dd>
      </dl>
      <Sparkline points={c.activity.lag_history} />
      <h3>Deliveries by source</h3>
      {c.activity.deliveries.length === 0 ? (
        <p className="muted">No events received yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col">Events</th>
              <th scope="col">Deliveries (webhooks and first sightings)</th>
              <th scope="col">Last received</th>
            </tr>
          </thead>
          <tbody>
            {c.activity.deliveries.map((d) => (
              <tr key={d.source}>
                <th scope="row">{humanize(d.source)}</th>
                <td>{count(d.events)}</td>
                <td>{count(d.deliveries)}</td>
                <td>{ago(d.last_received_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function ReportsSection({ connection: c, rerun }: Props & { rerun: (family?: string) => void }) {
  const refusal = reportsRefusal(c.state);
  return (
    <section aria-labelledby="reports-heading">
      <h2 id="reports-heading">Reports</h2>
      {refusal && (
        <p className="muted" data-testid="reports-refusal">
          {refusal}
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th scope="col">Family</th>
            <th scope="col">Last interval</th>
            <th scope="col">Pending</th>
            <th scope="col">Reconciliation</th>
            <th scope="col">Last failure</th>
            <th scope="col">
              <span className="visually-hidden">Action</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {c.reports.map((r) => (
            <tr key={r.family}>
              <th scope="row">{humanize(r.family)}</th>
              <td>{r.last_interval ? `${when(r.last_interval.start)} → ${when(r.last_interval.end)}` : 'none yet'}</td>
              <td>{r.pending}</td>
              <td>
                {r.reconciliation === null
                  ? '—'
                  : r.reconciliation.status === 'reconciled'
                    ? 'reconciled'
                    : r.reconciliation.status === 'not_reconciled'
                      ? `not reconciled: ${r.reconciliation.reason ?? 'unknown report shape'}`
                      : `${r.reconciliation.differences.length} difference(s)`}
              </td>
              <td className="error-cell">{r.last_failure ?? '—'}</td>
              <td>
                {!refusal && (
                  <button
                    type="button"
                    className="secondary"
                    onClick={() => rerun(r.family)}
                    aria-label={`Rerun the ${humanize(r.family)} report`}
                  >
                    Rerun
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Which secrets are stored (never their values) and the forms that replace them. */
export function SecretsSection({ connection: c, run }: Props & { run: Run }) {
  const [value, setValue] = useState({ api_key: '', webhook_secret: '' });
  const submit = (kind: 'api_key' | 'webhook_secret') => async (e: FormEvent) => {
    e.preventDefault();
    const v = value[kind];
    await run(kind === 'api_key' ? 'API key replaced' : 'Webhook signing secret replaced', () =>
      kind === 'api_key' ? supportApi.rotateApiKey(c.id, v) : supportApi.rotateWebhookSecret(c.id, v),
    );
    setValue({ ...value, [kind]: '' });
  };
  return (
    <section aria-labelledby="secrets-heading">
      <h2 id="secrets-heading">Credentials</h2>
      <ul>
        {c.activity.secrets.length === 0 ? (
          <li>No credentials stored.</li>
        ) : (
          c.activity.secrets.map((s) => (
            <li key={s.kind}>
              {humanize(s.kind)}: set, rotated {when(s.rotated_at)}
            </li>
          ))
        )}
      </ul>
      {c.webhook_url && (
        <p>
          Merchant webhook endpoint: <code>{c.webhook_url}</code>
        </p>
      )}
      {c.auth === 'api_key' && c.state !== 'disconnected' && (
        <form onSubmit={submit('api_key')} className="inline-form">
          <label htmlFor="new-api-key">New restricted API key</label>
          <input
            id="new-api-key"
            type="password"
            autoComplete="off"
            required
            value={value.api_key}
            onChange={(e) => setValue({ ...value, api_key: e.target.value })}
          />
          <button type="submit">Replace API key</button>
        </form>
      )}
      {c.merchant_id && c.state !== 'disconnected' && (
        <form onSubmit={submit('webhook_secret')} className="inline-form">
          <label htmlFor="new-webhook-secret">New webhook signing secret</label>
          <input
            id="new-webhook-secret"
            type="password"
            autoComplete="off"
            required
            placeholder="whsec_…"
            value={value.webhook_secret}
            onChange={(e) => setValue({ ...value, webhook_secret: e.target.value })}
          />
          <button type="submit">Replace signing secret</button>
        </form>
      )}
    </section>
  );
}

export function HistorySection({ connection: c }: Props) {
  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">Timeline</h2>
      <ol className="timeline">
        {c.history.map((h, i) => (
          <li key={i}>
            <time dateTime={h.at}>{when(h.at)}</time> <StateBadge state={h.to} /> {h.reason}
          </li>
        ))}
      </ol>
    </section>
  );
}

import type { ConnectionSummary } from '../../../../shared/contracts/connection-status.js';
import { ago, count, duration } from '../format.js';
import { ProgressBar } from './ProgressBar.js';
import { StateBadge } from './StateBadge.js';

export function ConnectionTable({ rows }: { rows: ConnectionSummary[] }) {
  return (
    <table className="connections">
      <caption className="visually-hidden">Connections</caption>
      <thead>
        <tr>
          <th scope="col">Connection</th>
          <th scope="col">State</th>
          <th scope="col">Mode</th>
          <th scope="col">Import</th>
          <th scope="col">Last event</th>
          <th scope="col">Lag</th>
          <th scope="col">Last error</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((c) => (
          <tr key={c.id} data-connection={c.id}>
            <th scope="row">
              <a href={`/support/connections/${c.id}`}>{c.name ?? c.account_id}</a>
              <div className="muted mono">
                {c.account_id}
                {c.merchant_id ? ` · ${c.merchant_id}` : ''}
              </div>
            </th>
            <td>
              <StateBadge state={c.state} />
            </td>
            <td>{c.environment === 'sandbox' ? 'sandbox' : c.mode}</td>
            <td>
              <ProgressBar
                label={`Import of ${c.name ?? c.account_id}`}
                value={c.import.objects}
                max={c.import.estimated_total}
                done={c.import.done}
              />
              <span className="muted">
                {c.import.done ? 'done' : c.import.resources === 0 ? 'not started' : `${count(c.import.objects)} objects`}
                {c.import.failed ? ` · ${c.import.failed} failed` : ''}
              </span>
            </td>
            <td>{ago(c.events.last_event_at)}</td>
            <td>
              {duration(c.events.lag_seconds)}
              {c.events.failed ? <span className="warn"> · {c.events.failed} failed</span> : null}
            </td>
            <td className="error-cell">{c.last_error?.message ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

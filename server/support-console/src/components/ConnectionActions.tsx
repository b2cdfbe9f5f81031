import { useState } from 'react';
import { supportApi, type ConsoleDetail } from '../api.js';
import { ConfirmButton } from './ConfirmButton.js';
import { CopyButton } from './CopyButton.js';

type Run = (what: string, action: () => Promise<unknown>) => Promise<void>;

/** The actions the connection's state allows; destructive ones ask first. */
export function ConnectionActions({ connection: c, run }: { connection: ConsoleDetail; run: Run }) {
  const [resource, setResource] = useState('');
  const can = (a: string) => c.actions.includes(a as ConsoleDetail['actions'][number]);
  return (
    <section aria-labelledby="actions-heading" className="actions-bar">
      <h2 id="actions-heading">Actions</h2>
      <div className="actions">
        {can('pause') && (
          <button type="button" onClick={() => run('Pause', () => supportApi.act(c.id, 'pause'))}>
            Pause
          </button>
        )}
        {can('resume') && (
          <button type="button" onClick={() => run('Resume', () => supportApi.act(c.id, 'resume'))}>
            Resume
          </button>
        )}
        {can('resync') && (
          <ConfirmButton
            label="Resync"
            question="Import again from Stripe? Stored data stays; newer data wins as it is re-read."
            onConfirm={() =>
              run(resource ? `Resync of ${resource}` : 'Resync', () => supportApi.act(c.id, 'resync', resource ? { resource } : {}))
            }
          >
            <label htmlFor="resync-resource">What to resync</label>
            <select id="resync-resource" value={resource} onChange={(e) => setResource(e.target.value)}>
              <option value="">everything</option>
              {c.activity.resources.map((r) => (
                <option key={r} value={r}>
                  {r.replace(/_/g, ' ')}
                </option>
              ))}
            </select>
          </ConfirmButton>
        )}
        {can('disconnect') && (
          <ConfirmButton
            danger
            label="Disconnect"
            question="Disconnect this account? Its stored credentials are deleted and sync stops. Imported data is kept."
            onConfirm={() => run('Disconnect', () => supportApi.act(c.id, 'disconnect'))}
          />
        )}
        {c.reauthorize_url && (
          <span className="copy-row">
            Reauthorization link: <code>{c.reauthorize_url}</code>{' '}
            <CopyButton value={c.reauthorize_url} label="Copy the reauthorization link" />
          </span>
        )}
      </div>
    </section>
  );
}

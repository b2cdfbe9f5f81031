import { parseArgs } from 'node:util';
import { getConnection } from '../../connections/connection-repository.js';
import { listConnections } from '../../status/connection-list.js';
import { connectionDetail, connectionStatus } from '../../status/connection-status.js';
import type { ConnectionDetail, ConnectionStatus } from '../../../shared/contracts/connection-status.js';
import { importVerification, verificationText } from '../../../shared/verification-text.js';
import { CliError, type Command } from '../command.js';
import { withServices } from '../with-services.js';

function describe(s: ConnectionStatus | ConnectionDetail): string[] {
  const lines = [
    `${s.id}  ${s.name ?? ''} (${s.account_id}, ${s.mode} mode, ${s.auth === 'oauth' ? 'app install' : 'API key'})`,
    `  state:        ${s.state}${s.state_reason ? ` (${s.state_reason})` : ''} since ${s.state_since}`,
  ];
  if (s.token) lines.push(`  token:        expires ${s.token.expires_at ?? 'unknown'}`);
  if (s.missing_permissions.length) lines.push(`  missing:      ${s.missing_permissions.join(', ')}`);
  const resources = s.import.resources.map((r) => `${r.resource} ${r.state} (${r.objects})`);
  lines.push(`  import:       ${resources.length ? resources.join(', ') : 'not started'}`);
  if (s.import.verification)
    lines.push(`  verification: ${verificationText(importVerification(s.import.verification, s.import.resources))}`);
  const lastEvent = s.events.last_event_at ? `last ${s.events.last_event_at}, took ${s.events.lag_seconds}s to arrive` : 'none yet';
  lines.push(`  events:       ${lastEvent}; last checked ${s.events.last_checked_at ?? 'never'}`);
  if (s.events.delayed) lines.push(`  delayed:      polls failing since ${s.events.delayed.since}: ${s.events.delayed.last_error}`);
  if (s.last_error) lines.push(`  last error:   ${s.last_error.message} (${s.last_error.at})`);
  if (s.what_to_do) lines.push(`  what to do:   ${s.what_to_do}`);
  if (s.reauthorize_url) lines.push(`  reauthorize:  ${s.reauthorize_url}`);
  lines.push(`  actions:      ${s.actions.join(', ') || 'none'}`);
  if ('history' in s) for (const h of s.history) lines.push(`  ${h.at}  ${h.from ?? '-'} → ${h.to}: ${h.reason}`);
  return lines;
}

export const statusCommand: Command = {
  name: 'status',
  usage: 'status [--connection ID] [--json]',
  summary: 'show connections and their state',
  async run({ config, args, json, out }) {
    const { values } = parseArgs({ args, options: { connection: { type: 'string' } }, strict: true });
    await withServices(config, async ({ db }) => {
      if (values.connection) {
        const connection = await getConnection(db, values.connection);
        if (!connection) throw new CliError(`no connection with id ${values.connection}`);
        const detail = await connectionDetail(db, config, connection);
        return out(json ? JSON.stringify(detail, null, 2) : describe(detail).join('\n'));
      }
      const { connections, total } = await listConnections(db, { limit: 1000 });
      const statuses = await Promise.all(connections.map((c) => connectionStatus(db, config, c)));
      if (json) return out(JSON.stringify({ sandbox: config.sandbox, total, connections: statuses }, null, 2));
      if (!statuses.length) return out('No connections yet.');
      out(statuses.flatMap(describe).join('\n'));
    });
  },
};

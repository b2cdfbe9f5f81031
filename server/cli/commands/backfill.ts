import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { getConnection } from '../../connections/connection-repository.js';
import { RESOURCES } from '../../resources/registry.js';
import { CliError, type Command } from '../command.js';
import { withServices } from '../with-services.js';

function parseSince(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) throw new CliError(`--since must be a date like 2026-01-31, got "${value}"`);
  return Math.floor(ms / 1000);
}

export const backfillCommand: Command = {
  name: 'backfill',
  usage: 'backfill --connection ID [--since DATE]',
  summary: "import (or resume importing) a connection's history",
  async run({ config, args, json, out }) {
    const { values } = parseArgs({ args, strict: true, options: { connection: { type: 'string' }, since: { type: 'string' } } });
    if (!values.connection) throw new CliError('--connection is required');
    const since = parseSince(values.since);
    await withServices(config, async ({ db, services }) => {
      const connection = await getConnection(db, values.connection!);
      if (!connection) throw new CliError(`no connection with id ${values.connection}`);
      if (['paused', 'disconnected', 'reauthorization_required'].includes(connection.state)) {
        throw new CliError(`connection ${connection.id} is ${connection.state.replace(/_/g, ' ')}; nothing to import`);
      }
      const interactive = !json && process.stdout.isTTY;
      const bars = interactive
        ? new cliProgress.MultiBar(
            { format: ' {resource} |{bar}| {value}/{total} objects | ETA {eta_formatted}', hideCursor: true, clearOnComplete: false },
            cliProgress.Presets.shades_classic,
          )
        : null;
      const bar = new Map(RESOURCES.map((r) => [r.name, bars?.create(1, 0, { resource: r.name.padEnd(22) })]));
      const outcomes = await services.imports.run(connection.id, {
        since,
        full: since !== undefined,
        onProgress: (p) => {
          if (json) out(JSON.stringify({ type: 'progress', ...p }));
          const b = bar.get(p.resource);
          b?.setTotal(Math.max(p.estimatedTotal ?? p.objects, p.objects, 1));
          b?.update(p.objects);
        },
      });
      bars?.stop();
      const after = (await getConnection(db, connection.id))!;
      if (json) {
        out(
          JSON.stringify({ type: 'result', connection: connection.id, state: after.state, reason: after.stateReason, resources: outcomes }),
        );
      } else {
        for (const o of outcomes)
          out(`${o.resource.padEnd(22)} ${o.state}${o.objects ? ` (${o.objects} objects)` : ''}${o.error ? `: ${o.error}` : ''}`);
        out(`Connection ${connection.id}: ${after.state} (${after.stateReason ?? ''})`);
      }
      if (after.state !== 'live') process.exitCode = 1;
    });
  },
};

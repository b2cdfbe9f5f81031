import { parseArgs } from 'node:util';
import { getConnection } from '../../connections/connection-repository.js';
import { getRun } from '../../reports/report-repository.js';
import { isReportFamily, REPORT_FAMILIES } from '../../../shared/report-families.js';
import { CliError, type Command } from '../command.js';
import { withServices } from '../with-services.js';

const WAIT_MS = 10 * 60 * 1000;

export const reportsCommand: Command = {
  name: 'reports',
  usage: 'reports run --connection ID [--type FAMILY]',
  summary: 'request Stripe reports again and wait for them',
  async run({ config, args, json, out }) {
    const [sub, ...rest] = args;
    if (sub !== 'run') throw new CliError('usage: pi-stripe reports run --connection ID [--type FAMILY]');
    const { values } = parseArgs({ args: rest, strict: true, options: { connection: { type: 'string' }, type: { type: 'string' } } });
    if (!values.connection) throw new CliError('--connection is required');
    if (values.type && !isReportFamily(values.type)) {
      throw new CliError(`--type must be one of: ${REPORT_FAMILIES.map((f) => f.family).join(', ')}`);
    }
    await withServices(config, async ({ db, services }) => {
      if (!(await getConnection(db, values.connection!))) throw new CliError(`no connection with id ${values.connection}`);
      const ids = await services.reports.schedule(values.connection!, {
        families: values.type && isReportFamily(values.type) ? [values.type] : undefined,
        force: true,
      });
      const deadline = Date.now() + WAIT_MS;
      for (;;) {
        await services.reports.checkDue();
        const runs = await Promise.all(ids.map((id) => getRun(db, id)));
        if (runs.every((r) => r && ['downloaded', 'failed', 'refused'].includes(r.status)) || Date.now() > deadline) {
          for (const r of runs) {
            if (!r) continue;
            const line = {
              family: r.family,
              report_type: r.reportType,
              status: r.status,
              rows: r.rowCount,
              error: r.error,
              reconciliation: r.reconciliation,
            };
            out(
              json
                ? JSON.stringify(line)
                : `${r.reportType.padEnd(44)} ${r.status}` +
                    (r.rowCount !== null ? ` (${r.rowCount} rows)` : '') +
                    (r.error ? `: ${r.error}` : ''),
            );
          }
          if (runs.some((r) => r?.status !== 'downloaded')) process.exitCode = 1;
          return;
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    });
  },
};

import { parseArgs } from 'node:util';
import { connectWithApiKey } from '../../connections/api-key-connect.js';
import { connectionStatus } from '../../status/connection-status.js';
import { AppError } from '../../errors.js';
import { apiKeyConnectBody } from '../../../shared/contracts/support-api.js';
import { CliError, type Command } from '../command.js';
import { followImport } from '../import-progress.js';
import { withServices } from '../with-services.js';

export const connectCommand: Command = {
  name: 'connect',
  usage: 'connect --name N --api-key K [--merchant M] [--webhook-secret S]',
  summary: 'connect an account with a (restricted) API key',
  async run({ config, args, json, out }) {
    const { values } = parseArgs({
      args,
      strict: true,
      options: {
        name: { type: 'string' },
        'api-key': { type: 'string' },
        merchant: { type: 'string' },
        'webhook-secret': { type: 'string' },
      },
    });
    if (!values.name) throw new CliError('--name is required');
    if (!values['api-key']) throw new CliError('--api-key is required');
    const parsed = apiKeyConnectBody.safeParse({
      name: values.name,
      api_key: values['api-key'],
      merchant_id: values.merchant,
      webhook_secret: values['webhook-secret'],
    });
    if (!parsed.success) {
      throw new CliError(
        parsed.error.issues.map((i) => `--${String(i.path[0]).replace('_id', '').replace(/_/g, '-')}: ${i.message}`).join('; '),
      );
    }
    await withServices(config, async ({ db, services }) => {
      const result = await connectWithApiKey(config, services.connections, services.limiters, parsed.data).catch((err: unknown) => {
        throw err instanceof AppError ? new CliError(err.message) : err;
      });
      // Embedded jobs run in this process: follow the import to its end, however long it takes. If
      // this command is stopped, its lease on the import lapses and a running server takes it over.
      // With pg-boss the import is queued (safely stored) and the workers own it.
      if (services.jobs.backend === 'embedded') {
        await followImport(db, result.connection.id, {
          json,
          out,
          stop: () =>
            services.jobs.idle(0).then(
              () => true,
              () => false,
            ),
        });
      }
      const status = await connectionStatus(db, config, await services.connections.get(result.connection.id));
      if (json) return out(JSON.stringify({ type: 'result', connection: status, warnings: result.warnings }));
      out(`Connected ${status.name} (${status.account_id}, ${status.mode} mode) as ${status.id}: ${status.state}.`);
      if (status.missing_permissions.length)
        out(`Missing permissions: ${status.missing_permissions.join(', ')}. ${status.what_to_do ?? ''}`);
      for (const w of result.warnings) out(`Warning: ${w}`);
    });
  },
};

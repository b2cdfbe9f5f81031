import { parseArgs } from 'node:util';
import { connectWithApiKey } from '../../connections/api-key-connect.js';
import { connectionStatus } from '../../connections/status.js';
import { AppError } from '../../errors.js';
import { apiKeyConnectBody } from '../../../shared/contracts/support-api.js';
import { CliError, type Command } from '../command.js';
import type { Services } from '../../services.js';
import { withServices } from '../with-services.js';

export const connectCommand: Command = {
  name: 'connect',
  usage: 'connect --name N --api-key K [--merchant M] [--webhook-secret S]',
  summary: 'connect an account with a (restricted) API key',
  async run({ config, args, json, out }) {
    const { values } = parseArgs({
      args, strict: true,
      options: { name: { type: 'string' }, 'api-key': { type: 'string' }, merchant: { type: 'string' }, 'webhook-secret': { type: 'string' } },
    });
    if (!values.name) throw new CliError('--name is required');
    if (!values['api-key']) throw new CliError('--api-key is required');
    const parsed = apiKeyConnectBody.safeParse({
      name: values.name, api_key: values['api-key'], merchant_id: values.merchant, webhook_secret: values['webhook-secret'],
    });
    if (!parsed.success) {
      throw new CliError(parsed.error.issues.map((i) => `--${String(i.path[0]).replace('_id', '').replace(/_/g, '-')}: ${i.message}`).join('; '));
    }
    await withServices(config, async ({ db, services }) => {
      const result = await connectWithApiKey(config, services.connections, services.limiters, parsed.data).catch((err: unknown) => {
        throw err instanceof AppError ? new CliError(err.message) : err;
      });
      // Embedded jobs run in this process (with pg-boss the workers take them): wait for the import,
      // however long it takes. Its verification is handed back when the command ends; the server's
      // sweep (or the next start) carries it on from where it was.
      if (services.jobs.backend === 'embedded') await untilImported(services, result.connection.id);
      const status = await connectionStatus(db, config, (await services.connections.get(result.connection.id)));
      if (json) return out(JSON.stringify({ connection: status, warnings: result.warnings }, null, 2));
      out(`Connected ${status.name} (${status.account_id}, ${status.mode} mode) as ${status.id}: ${status.state}.`);
      if (status.missing_permissions.length) out(`Missing permissions: ${status.missing_permissions.join(', ')}. ${status.what_to_do ?? ''}`);
      for (const w of result.warnings) out(`Warning: ${w}`);
    });
  },
};

/** Until the connection leaves `connecting`/`backfilling`, or nothing is left running that could move it. */
async function untilImported(services: Services, id: string): Promise<void> {
  const importing = async () => ['connecting', 'backfilling'].includes((await services.connections.get(id)).state);
  while (await importing()) {
    if (await services.jobs.idle(0).then(() => true, () => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

import { loadConfigOrExit } from '../bootstrap.js';
import { redactString } from '../logging/redact.js';
import { CliError, type Command } from './command.js';
import { backfillCommand } from './commands/backfill.js';
import { connectCommand } from './commands/connect.js';
import { reportsCommand } from './commands/reports.js';
import { emulatorCommand } from './commands/emulator.js';
import { migrateCommand } from './commands/migrate.js';
import { statusCommand } from './commands/status.js';
import { workerCommand } from './commands/worker.js';

const commands: Command[] = [
  connectCommand,
  statusCommand,
  backfillCommand,
  reportsCommand,
  migrateCommand,
  workerCommand,
  emulatorCommand,
];

function usage(): string {
  return [
    'Usage: pi-stripe <command> [options]',
    '',
    ...commands.map((c) => `  ${c.usage.padEnd(40)} ${c.summary}`),
    '',
    'Every command takes --json for machine-readable output.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`pi-stripe: unknown command "${name}" (try: pi-stripe --help)\n`);
    return 2;
  }
  const json = rest.includes('--json');
  const args = rest.filter((a) => a !== '--json');
  const config = loadConfigOrExit();
  try {
    await command.run({ config, args, json, out: (text) => process.stdout.write(text + '\n') });
    // A command that finished but found trouble (an import that did not complete) says so.
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    // One line, never a stack trace, never a secret.
    const message = err instanceof Error ? err.message : String(err);
    const line = redactString(message.split('\n')[0] ?? 'failed');
    if (json) process.stdout.write(JSON.stringify({ error: line }) + '\n');
    process.stderr.write(`pi-stripe ${name}: ${err instanceof CliError ? '' : 'error: '}${line}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));

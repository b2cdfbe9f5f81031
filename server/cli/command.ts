import type { Config } from '../config.js';

/** Raised by commands for a failure the user can act on; printed as one line, exit 1. */
export class CliError extends Error {}

export interface CliContext {
  config: Config;
  args: string[];
  json: boolean;
  out: (text: string) => void;
}

export interface Command {
  name: string;
  usage: string;
  summary: string;
  run(ctx: CliContext): Promise<unknown>;
}

import { pino, type Logger, type DestinationStream } from 'pino';
import { redactString, redactValue } from './redact.js';

export type { Logger };

/**
 * The process logger. Every object and message passes through the redactor, so a secret that
 * reaches a log call by accident (an error message quoting a key, a header) is still scrubbed.
 */
export function createLogger(options: { level?: string; destination?: DestinationStream | NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      formatters: {
        log: (object) => redactValue(object) as Record<string, unknown>,
      },
      serializers: {
        err: (err: unknown) => redactValue(err),
      },
      hooks: {
        logMethod(args, method) {
          const cleaned = args.map((a: unknown) => (typeof a === 'string' ? redactString(a) : a));
          return method.apply(this, cleaned as Parameters<typeof method>);
        },
      },
    },
    (options.destination ?? pino.destination(1)) as DestinationStream,
  );
}

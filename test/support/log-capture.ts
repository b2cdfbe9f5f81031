import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../server/logging/logger.js';

/** A real logger writing into memory, so tests can read exactly what would reach the log. */
export function capturedLogger(level = 'info'): { logger: Logger; output: () => string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger({ level, destination }), output: () => chunks.join('') };
}

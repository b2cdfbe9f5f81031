import type { Express } from 'express';
import type { Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';

/** Serves the real app on an ephemeral port for the length of a test. */
export async function listen(app: Express): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on right now, for a process that must know its own URL before it starts. */
export const freePort = () =>
  new Promise<number>((ok, fail) => {
    const probe = createServer()
      .once('error', fail)
      .listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => ok(port));
      });
  });

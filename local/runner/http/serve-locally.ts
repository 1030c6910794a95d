/** Puts a local service's HTTP server on a loopback port, and takes it down again without waiting for idle clients. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServedLocally {
  /** e.g. http://127.0.0.1:49152 (no trailing slash). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Listens on `port` (0, the default, picks a free one) of `host` (default 127.0.0.1). */
export async function serveLocally(server: Server, port = 0, host = '127.0.0.1'): Promise<ServedLocally> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    port: address.port,
    close: () => new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      // SDK clients keep connections alive; without this close() would wait for them to time out.
      server.closeAllConnections();
    }),
  };
}

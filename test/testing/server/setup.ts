// Per-test setup: a fresh server (manual clock by default) and a handshaken raw client, both
// closed when the test ends.
import type { TestContext } from 'node:test';
import { createManualClock, startServer, type FaktoryServer, type ManualClock, type ServerOptions } from '../../../src/testing/index.js';
import { RawClient } from './raw-client.js';

export interface Setup {
  readonly server: FaktoryServer;
  readonly clock: ManualClock;
  readonly client: RawClient;
  /** Another handshaken client on the same server. */
  readonly connect: (hello?: Record<string, unknown>) => Promise<RawClient>;
}

export async function setup(t: TestContext, options: ServerOptions = {}, hello: Record<string, unknown> = {}): Promise<Setup> {
  const clock = createManualClock(Date.UTC(2030, 0, 1));
  const server = await startServer({ clock, ...options });
  t.after(() => server.close());
  const connect = async (fields: Record<string, unknown> = {}): Promise<RawClient> => {
    const client = await RawClient.ready(server.port, fields);
    t.after(() => {
      client.close();
    });
    return client;
  };
  const client = await connect(hello);
  return { server, clock, client, connect };
}

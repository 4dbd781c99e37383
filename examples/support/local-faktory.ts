/**
 * What every example starts with: the Faktory in `FAKTORY_URL` when it is set, otherwise an
 * in-memory server of `faktory-rx/testing` started in this process (so `npx tsx examples/x.ts`
 * always runs). The examples use the URL the same way in both cases.
 */
import { startServer, type ServerOptions } from '../../src/testing/index.js';

/** A Faktory to talk to. */
export interface LocalFaktory {
  /** The URL to connect with. */
  readonly url: string;
  /** Whether the in-memory server was started here. */
  readonly embedded: boolean;
  /** Closes the in-memory server if one was started (nothing otherwise). */
  close(): Promise<void>;
}

/** `FAKTORY_URL`, or a fresh in-memory server with `options` (e.g. `{ enterprise: true }`). */
export async function useFaktory(options: ServerOptions = {}): Promise<LocalFaktory> {
  const url = process.env['FAKTORY_URL'];
  if (url !== undefined && url !== '') return { url, embedded: false, close: () => Promise.resolve() };
  const server = await startServer(options);
  console.log(`(FAKTORY_URL is not set: using an in-memory Faktory server at ${server.url})`);
  return { url: server.url, embedded: true, close: () => server.close() };
}

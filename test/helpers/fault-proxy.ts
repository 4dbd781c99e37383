/**
 * A TCP proxy for fault tests: sits between a client and a (real or in-memory) Faktory server
 * on loopback and misbehaves on request.
 *
 * Faults set with {@link FaultProxy.setFaults} apply to every connection open now and to every
 * later one; byte counts are per connection, from its first byte. Everything else acts at once
 * on the open connections.
 *
 * @example
 * const proxy = await startFaultProxy({ port: server.port });
 * const pool = createPool({ url: proxy.url });
 * proxy.setFaults({ cutToClientAfterBytes: 20 }); // the HI line passes, the OK is cut short
 * proxy.cutAll();                                  // reset every open connection now
 * proxy.setFaults({ blackhole: true });            // half-open: accept, forward nothing
 * proxy.injectGarbage('%%% not RESP\r\n');         // bytes to every client
 * proxy.setFaults({ hold: true });                 // keep every chunk until the faults change
 * await proxy.waitForHolding(2);                   // two connections hold bytes for the server
 * proxy.cutHolding();                              // reset one of them; setFaults({}) sends the rest
 * await proxy.waitForConnections(2);
 * await proxy.close();
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';

/** What the proxy does to traffic. Unset fields mean "behave". */
export interface Faults {
  /** Destroy the connection (both sides) once this many bytes went server -> client; the bytes before pass. */
  readonly cutToClientAfterBytes?: number;
  /** Destroy the connection once this many bytes went client -> server. */
  readonly cutToServerAfterBytes?: number;
  /** Hold every chunk this many milliseconds before forwarding it (order kept). */
  readonly delayMs?: number;
  /** Forward nothing in either direction but keep the sockets open (a half-open peer). */
  readonly blackhole?: boolean;
  /** Accept, then destroy new connections at once (a refusing server). */
  readonly refuse?: boolean;
  /** Keep every chunk, in order, and forward what was kept once the faults no longer say `hold`. */
  readonly hold?: boolean;
}

export interface FaultProxy {
  /** The proxy's port on 127.0.0.1. */
  readonly port: number;
  /** `tcp://127.0.0.1:<port>`, or with `:password@` when given. */
  url(password?: string): string;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Client connections open now. */
  readonly open: number;
  /** Replaces the faults (for open and future connections). `setFaults({})` heals. */
  setFaults(faults: Faults): void;
  /** Destroys every open connection now (both sides: a reset). */
  cutAll(): void;
  /** Destroys the oldest open connection that holds bytes for the server (see `hold`); what it held is lost. */
  cutHolding(): void;
  /** Resolves once `count` open connections hold bytes for the server. */
  waitForHolding(count: number): Promise<void>;
  /** Writes `bytes` to every open client, as if from the server. */
  injectGarbage(bytes: string | Buffer): void;
  /** Resolves once `count` connections were accepted in all. */
  waitForConnections(count: number): Promise<void>;
  /** Resolves once no client connection is open. */
  waitForNoConnections(): Promise<void>;
  /** Closes the listener and every connection. */
  close(): Promise<void>;
}

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  toClient: number;
  toServer: number;
  /** Chunks kept while the faults say `hold`, in arrival order. */
  readonly held: { readonly chunk: Buffer; readonly direction: 'toClient' | 'toServer' }[];
}

/** Starts a proxy on an ephemeral loopback port forwarding to `target`. */
export async function startFaultProxy(target: { readonly port: number; readonly host?: string }): Promise<FaultProxy> {
  let faults: Faults = {};
  let accepted = 0;
  const pairs = new Set<Pair>();
  const waiters: (() => void)[] = [];
  const notify = (): void => {
    for (const waiter of waiters.splice(0)) waiter();
  };
  const destroy = (pair: Pair): void => {
    pair.client.destroy();
    pair.upstream.destroy();
  };
  const forward = (pair: Pair, chunk: Buffer, direction: 'toClient' | 'toServer'): void => {
    if (faults.blackhole === true) return;
    if (faults.hold === true) {
      pair.held.push({ chunk, direction });
      notify();
      return;
    }
    const limit = direction === 'toClient' ? faults.cutToClientAfterBytes : faults.cutToServerAfterBytes;
    const sink = direction === 'toClient' ? pair.client : pair.upstream;
    let data = chunk;
    let cut = false;
    if (limit !== undefined) {
      const room = Math.max(0, limit - pair[direction]);
      if (data.length >= room) {
        data = data.subarray(0, room);
        cut = true;
      }
    }
    pair[direction] += data.length;
    const write = (): void => {
      if (data.length > 0 && !sink.destroyed) sink.write(data);
      if (cut) {
        // Let the bytes before the cut leave, then reset both sides.
        if (sink.destroyed || data.length === 0) destroy(pair);
        else sink.write(Buffer.alloc(0), () => { destroy(pair); });
      }
    };
    if (faults.delayMs !== undefined && faults.delayMs > 0) setTimeout(write, faults.delayMs);
    else write();
  };
  const server: Server = createServer((client) => {
    accepted++;
    client.on('error', () => undefined);
    if (faults.refuse === true) {
      client.destroy();
      notify();
      return;
    }
    const upstream = connect({ port: target.port, host: target.host ?? '127.0.0.1' });
    upstream.on('error', () => undefined);
    const pair: Pair = { client, upstream, toClient: 0, toServer: 0, held: [] };
    pairs.add(pair);
    upstream.on('data', (chunk: Buffer) => { forward(pair, chunk, 'toClient'); });
    client.on('data', (chunk: Buffer) => { forward(pair, chunk, 'toServer'); });
    const end = (): void => {
      if (pairs.delete(pair)) destroy(pair);
      notify();
    };
    client.on('close', end);
    upstream.on('close', end);
    notify();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
  const { port } = address;
  const holding = (): Pair[] => [...pairs].filter((pair) => pair.held.some((kept) => kept.direction === 'toServer'));
  const until = (condition: () => boolean): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (condition()) resolve();
        else waiters.push(check);
      };
      check();
    });
  return {
    port,
    url: (password) => `tcp://${password === undefined ? '' : `:${encodeURIComponent(password)}@`}127.0.0.1:${port}`,
    get accepted() {
      return accepted;
    },
    get open() {
      return pairs.size;
    },
    setFaults(next) {
      faults = { ...next };
      if (faults.hold !== true) {
        for (const pair of pairs) for (const kept of pair.held.splice(0)) forward(pair, kept.chunk, kept.direction);
      }
      for (const pair of pairs) {
        if ((faults.cutToClientAfterBytes ?? Infinity) <= pair.toClient || (faults.cutToServerAfterBytes ?? Infinity) <= pair.toServer) destroy(pair);
      }
    },
    cutAll() {
      for (const pair of pairs) destroy(pair);
    },
    cutHolding() {
      const pair = holding()[0];
      if (pair === undefined) throw new Error('no connection holds bytes for the server');
      pair.held.length = 0;
      destroy(pair);
    },
    waitForHolding: (count) => until(() => holding().length >= count),
    injectGarbage(bytes) {
      for (const pair of pairs) pair.client.write(bytes);
    },
    waitForConnections: (count) => until(() => accepted >= count),
    waitForNoConnections: () => until(() => pairs.size === 0),
    async close() {
      for (const pair of pairs) destroy(pair);
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    },
  };
}

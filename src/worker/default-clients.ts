import { type ClientOptions, createClient, type FaktoryClient } from '../streams/index.js';
import { exponentialBackoff } from '../transport/index.js';
import type { AnyJobs, JobTypes } from '../streams/types.js';
import type { WorkerIdentity } from '../transport/types.js';
import type { WorkerClientRole } from './events.js';

/** The client a worker makes by default: the full client, so handlers can push follow-up jobs. */
export type DefaultWorkerClient<Jobs extends JobTypes = AnyJobs> = FaktoryClient<Jobs>;

/** Connection options of a worker's default clients: the client's options but those the worker sets. */
export type WorkerConnectionOptions = Omit<ClientOptions, 'worker' | 'size' | 'maxBlockingPerConnection' | 'pool'>;

/**
 * The pool a worker's client should have: `size` sockets, `maxBlockingPerConnection` FETCHes
 * pipelined on each (options of `createClient`).
 */
export interface WorkerPoolSettings {
  readonly size: number;
  readonly maxBlockingPerConnection: number;
}

/**
 * The reconnect strategy of a worker's default clients (unless `connection.reconnect` says
 * otherwise): exponential backoff from 100 ms capped at 1 s, jittered, so that a worker
 * reconnects within about a second of its server coming back, at a cost of about one failed
 * connect per second per pool while it is down.
 * @internal
 */
export const WORKER_RECONNECT = exponentialBackoff({ maxMs: 1_000 });

/**
 * The worker's default client factory, the only place the worker depends on `createClient`:
 * `main` gets a pool of `fetchers + 1` sockets (`fetchers` for FETCHes, one for
 * ACK/FAIL/PUSH), `beat` a pool of one, both presenting the worker's identity.
 * @internal
 */
export function defaultClientFactory<Jobs extends JobTypes>(
  connection: WorkerConnectionOptions,
): (identity: WorkerIdentity, role: WorkerClientRole, pool: WorkerPoolSettings) => DefaultWorkerClient<Jobs> {
  return (identity, _role, pool) => createClient<Jobs>({ reconnect: WORKER_RECONNECT, ...connection, ...pool, worker: identity });
}

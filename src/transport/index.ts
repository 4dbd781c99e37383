export type { Reply, RequestOptions, Requester, WorkerIdentity, PoolEvent, PoolLike } from './types.js';
export {
  resolveConfig,
  ResolvedConfig,
  CONNECTION_DEFAULTS,
  type ConnectionOptions,
  type ResolvedWorkerIdentity,
} from './config.js';
export { Connection, CONNECTION_LIMIT_DEFAULTS, type ConnectionLimits } from './connection.js';
export { PROTOCOL_VERSION } from './handshake.js';
export { createPool, Pool, POOL_DEFAULTS, type PoolOptions } from './pool.js';
export {
  exponentialBackoff,
  reconnectDelay,
  BACKOFF_DEFAULTS,
  type BackoffOptions,
  type ReconnectStrategy,
} from './reconnect.js';

export type { Reply, RequestOptions, Requester, WorkerIdentity, PoolEvent, PoolLike } from './types.js';

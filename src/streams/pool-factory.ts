// The one place the client depends on the transport's pool factory.
import { createPool, type PoolOptions } from '../transport/index.js';
import type { PoolLike } from '../transport/types.js';

export type { PoolOptions };

/** Creates the transport pool of a client that was given none. @internal */
export function createDefaultPool(options: PoolOptions): PoolLike {
  return createPool(options);
}

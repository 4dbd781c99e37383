import type { FaktoryError } from '../errors.js';
import type { Reply } from './types.js';

/**
 * A command handed to a connection (the pool's interface): its bytes, and where its
 * outcome goes. Exactly one of `resolve` and `reject` is called, unless it was cancelled.
 */
export interface PendingRequest {
  readonly verb: string;
  readonly bytes: Buffer;
  readonly timeoutMs: number;
  resolve(reply: Reply): void;
  /** `written` tells whether the command reached the socket (an unwritten one may be retried elsewhere). */
  reject(error: FaktoryError, written: boolean): void;
}

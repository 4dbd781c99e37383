import type { Subscriber, Unsubscribable } from 'rxjs';
import type { FaktoryError } from '../errors.js';
import type { PendingRequest } from './pending-request.js';
import type { RequestQueue } from './request-queue.js';
import type { Reply } from './types.js';

/** @internal What a {@link PoolRequest} tells its pool (one object per pool, shared by its requests). */
export interface PoolRequestOwner {
  /** The request got its reply. */
  replied(request: PoolRequest): void;
  /**
   * The request failed. Returns whether the pool queued it again to send on another connection
   * (the subscriber then hears nothing yet); otherwise the error goes to the subscriber.
   */
  failed(request: PoolRequest, error: FaktoryError, written: boolean): boolean;
  /** The subscriber left while the request was still waiting for a connection. */
  withdrawn(request: PoolRequest): void;
}

/**
 * @internal One request through a pool: the `PendingRequest` a connection sends, and the
 * teardown of the subscriber that asked for it. A class rather than a set of closures, so a
 * request costs one object.
 */
export class PoolRequest implements PendingRequest, Unsubscribable {
  readonly verb: string;
  readonly bytes: Buffer;
  readonly timeoutMs: number;
  /** The pool's queue it waits in: which kind of connection it wants (see `RequestOptions`). */
  readonly queue: RequestQueue<PoolRequest>;
  /** `waiting` in the pool's queue, `sent` on a connection (`cancel` withdraws it there), or `done`. */
  state: 'waiting' | 'sent' | 'done' = 'waiting';
  /** The cancellation its connection returned, while `sent`. */
  cancel: (() => void) | undefined = undefined;
  /** When it first had to wait in the pool's queue, on the pool's clock; unset while it never had to. */
  waitingSince: number | undefined = undefined;
  readonly #subscriber: Subscriber<Reply>;
  readonly #owner: PoolRequestOwner;

  constructor(verb: string, bytes: Buffer, timeoutMs: number, queue: RequestQueue<PoolRequest>, subscriber: Subscriber<Reply>, owner: PoolRequestOwner) {
    this.verb = verb;
    this.bytes = bytes;
    this.timeoutMs = timeoutMs;
    this.queue = queue;
    this.#subscriber = subscriber;
    this.#owner = owner;
  }

  resolve(reply: Reply): void {
    this.state = 'done';
    this.#owner.replied(this);
    this.#subscriber.next(reply);
    this.#subscriber.complete();
  }

  reject(error: FaktoryError, written: boolean): void {
    if (this.#owner.failed(this, error, written)) return;
    this.state = 'done';
    this.#subscriber.error(error);
  }

  /** Fails the request without asking the pool (which has already taken it out of its queue). */
  fail(error: FaktoryError): void {
    this.state = 'done';
    this.#subscriber.error(error);
  }

  /** The subscriber's teardown: removes a waiting request, or has its connection drop the reply. */
  unsubscribe(): void {
    if (this.state === 'waiting') {
      this.state = 'done';
      this.#owner.withdrawn(this);
    } else if (this.state === 'sent') {
      this.state = 'done';
      this.cancel?.();
    }
  }
}

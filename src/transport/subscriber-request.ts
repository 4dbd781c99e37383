import type { Subscriber } from 'rxjs';
import type { FaktoryError } from '../errors.js';
import type { PendingRequest } from './pending-request.js';
import type { Reply } from './types.js';

/**
 * @internal A request from `Connection.request`: relays its outcome to the subscriber. A class
 * rather than a pair of closures, so a request costs one object.
 */
export class SubscriberRequest implements PendingRequest {
  readonly verb: string;
  readonly bytes: Buffer;
  readonly timeoutMs: number;
  readonly #subscriber: Subscriber<Reply>;

  constructor(verb: string, bytes: Buffer, timeoutMs: number, subscriber: Subscriber<Reply>) {
    this.verb = verb;
    this.bytes = bytes;
    this.timeoutMs = timeoutMs;
    this.#subscriber = subscriber;
  }

  resolve(reply: Reply): void {
    this.#subscriber.next(reply);
    this.#subscriber.complete();
  }

  reject(error: FaktoryError): void {
    this.#subscriber.error(error);
  }
}

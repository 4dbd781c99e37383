import { of, type Observable } from 'rxjs';
import type { ConnectionLimits, PendingRequest } from '../../../src/transport/connection.js';
import type { PoolConnection } from '../../../src/transport/pool.js';

/** A connection for pool tests: answers `+OK` at once, or holds requests when `hold` is set. */
export class FakeConnection implements PoolConnection {
  readonly held: PendingRequest[] = [];
  readonly closed = new Promise<Error | undefined>(() => undefined);
  /** Called when the pool closes this connection. */
  onClose: () => void = () => undefined;
  constructor(readonly hold = false) {}
  get pending(): number {
    return this.held.length;
  }
  get usable(): boolean {
    return true;
  }
  /** Answers the oldest held request and tells the pool, as a real connection does. */
  answer(limits: ConnectionLimits): void {
    this.held.shift()!.resolve({ type: 'null' });
    limits.onSettle?.();
  }
  send(request: PendingRequest): () => void {
    if (this.hold) this.held.push(request);
    else request.resolve({ type: 'simple', value: 'OK' });
    return () => undefined;
  }
  close(): Observable<void> {
    this.onClose();
    return of();
  }
  destroy(): void {
    // Nothing to free.
  }
}

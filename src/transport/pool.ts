import { asyncScheduler, Observable, Subject, type SchedulerLike, type Subscription } from 'rxjs';
import { encodeCommand, type CommandArg } from '../codec/index.js';
import { ClosedError, ConnectionError, FaktoryError, InvalidArgumentError, ServerError, isRetriable } from '../errors.js';
import { assertKnownOptions, positiveInteger } from './option-checks.js';
import { CONNECTION_OPTION_HINTS, CONNECTION_OPTION_KEYS, connectionOptionsOf, resolveConfig, type ConnectionOptions, type ResolvedConfig } from './config.js';
import { Connection, type ConnectionLimits } from './connection.js';
import { AcquireDeadline } from './acquire-deadline.js';
import { log } from './log.js';
import { PoolRequest, type PoolRequestOwner } from './pool-request.js';
import { RequestQueue } from './request-queue.js';
import { exponentialBackoff, reconnectDelay, validateReconnect, type ReconnectStrategy } from './reconnect.js';
import type { PoolEvent, PoolLike, Reply, RequestOptions } from './types.js';

/** Options of {@link createPool}: where to connect, and how many sockets to use how. */
export interface PoolOptions extends ConnectionOptions {
  /** Most sockets open at once, whatever the load. @defaultValue 5 */
  readonly size?: number;
  /** Non-blocking commands pipelined on one connection at once. @defaultValue 100 */
  readonly maxInFlightPerConnection?: number;
  /**
   * Blocking commands (`FETCH`) pipelined on one connection at once. A connection holding
   * blocking commands takes nothing else, and the server answers them in order, each waiting
   * up to 2 s for a job when the queues are empty: so more than 1 saves a write and a read per
   * FETCH while jobs keep coming, at the price of queued FETCHes waiting for those ahead when
   * they run dry. Connections are filled one at a time before another is used. With `size` 1 the
   * one connection is shared with every other command, so this is then 1 whatever is given.
   * @defaultValue 1
   */
  readonly maxBlockingPerConnection?: number;
  /**
   * Requests waiting for a connection; one more fails at once with `ConnectionError`. By default
   * requests wait, however many there are (each holds its encoded command), until a connection
   * has room or `acquireTimeoutMs` passes without one: set a number to shed load instead.
   * @defaultValue Infinity
   */
  readonly maxQueued?: number;
  /** A connection with nothing to do for this long is closed (`END`), in milliseconds. @defaultValue 60_000 */
  readonly idleTimeoutMs?: number;
  /**
   * Longest a request may wait for a connection while none comes, in milliseconds: a waiting
   * request fails once it has waited this long and no request of its kind has been written for
   * as long (a long queue that keeps moving never fails; a request written at once never waits).
   * It then fails with a retriable `ConnectionError` whose `cause` is the last connect error, if
   * any; reconnecting goes on, and a later request gets a fresh wait. `Infinity` waits as long as
   * the `reconnect` strategy keeps trying. Blocking requests obey it too.
   * @defaultValue 10_000
   */
  readonly acquireTimeoutMs?: number;
  /** Retry strategy after a failed connect or a lost connection. @defaultValue `exponentialBackoff()` (100 ms doubling to 10 s, jittered) */
  readonly reconnect?: ReconnectStrategy;
  /** Clock of every timer: backoff, timeouts, idle. @defaultValue `asyncScheduler` */
  readonly scheduler?: SchedulerLike;
  /** @internal Opens a connection (tests replace it). */
  readonly connect?: (config: ResolvedConfig, limits: ConnectionLimits) => Observable<PoolConnection>;
}

/** @internal Every key of {@link PoolOptions} (the compiler checks that none is missing). */
export const POOL_OPTION_KEYS: Readonly<Record<keyof PoolOptions, true>> = Object.freeze({
  ...CONNECTION_OPTION_KEYS,
  size: true,
  maxInFlightPerConnection: true,
  maxBlockingPerConnection: true,
  maxQueued: true,
  idleTimeoutMs: true,
  acquireTimeoutMs: true,
  reconnect: true,
  scheduler: true,
  connect: true,
});

/** Defaults of {@link PoolOptions}. */
export const POOL_DEFAULTS = Object.freeze({ size: 5, maxInFlightPerConnection: 100, maxBlockingPerConnection: 1, maxQueued: Number.POSITIVE_INFINITY, idleTimeoutMs: 60_000, acquireTimeoutMs: 10_000 });

/** @internal What a pool needs of a connection. */
export type PoolConnection = Pick<Connection, 'pending' | 'usable' | 'send' | 'close' | 'destroy' | 'closed'>;

interface Slot {
  connection: PoolConnection | undefined;
  opening: Subscription | undefined;
  /** Leased by blocking commands: nothing else goes on it until it is idle again. */
  exclusive: boolean;
  /** Closed on purpose (idle or pool closing): its end is no failure. */
  retiring: boolean;
  /** One timer per connection, armed when it goes idle and left running while it is busy. */
  idleTimer: Subscription | undefined;
  /** When the connection last went idle, on the scheduler's clock. */
  idleSince: number;
}

type PoolState = 'open' | 'closing' | 'closed';

/**
 * A bounded set of connections for one identity (a worker's `wid`, or a plain producer), and a
 * `Requester` over them. Connections open lazily and close when idle. Non-blocking commands are
 * pipelined on shared connections, first fit, up to `maxInFlightPerConnection` each; `spread`
 * commands (`PUSHB`) go to the least busy shared connection, and to one of their own while the
 * pool can open another, so batches in flight travel side by side; `blocking` commands get
 * connections of their own, pipelined first fit up to `maxBlockingPerConnection` each, and hold
 * at most `size - 1` connections (all of one when `size` is 1) so `ACK`/`FAIL`/`PUSH` never wait
 * behind `FETCH`es. Requests beyond that wait for room, in order: backpressure, not an error,
 * unless no connection comes for `acquireTimeoutMs` (or more than `maxQueued` wait).
 *
 * A command that fails before it was written (its connection could not be opened or died
 * first) waits for the next connection, per the `reconnect` strategy; once written, the error
 * goes to the caller, who knows whether the command is safe to repeat.
 */
export class Pool implements PoolLike {
  /** Connectivity changes. Hot; never errors; completes after `closed`. */
  readonly events$: Observable<PoolEvent>;
  readonly #config: ResolvedConfig;
  readonly #size: number;
  readonly #blockingLimit: number;
  readonly #maxInFlight: number;
  readonly #maxBlocking: number;
  readonly #maxQueued: number;
  readonly #idleTimeoutMs: number;
  readonly #acquireTimeoutMs: number;
  readonly #acquireDeadline: AcquireDeadline;
  readonly #reconnect: ReconnectStrategy;
  readonly #scheduler: SchedulerLike;
  readonly #connect: (config: ResolvedConfig, limits: ConnectionLimits) => Observable<PoolConnection>;
  readonly #events = new Subject<PoolEvent>();
  readonly #slots = new Set<Slot>();
  readonly #shared = new RequestQueue<PoolRequest>();
  readonly #spread = new RequestQueue<PoolRequest>();
  readonly #blocking = new RequestQueue<PoolRequest>();
  readonly #requestOwner: PoolRequestOwner = {
    replied: () => {
      this.#failures = 0;
    },
    failed: (request, error, written) => {
      if (!written && isRetriable(error) && this.#state !== 'closed') {
        request.state = 'waiting';
        request.cancel = undefined;
        request.queue.unshift(request);
        this.#acquireDeadline.waiting(request);
        this.#pump();
        return true;
      }
      if (error instanceof ServerError) this.#failures = 0;
      return false;
    },
    withdrawn: (request) => {
      request.queue.left();
      this.#pump();
    },
  };
  #state: PoolState = 'open';
  #failures = 0;
  /** Why the last connect failed or connection died, since the last successful connect. */
  #lastFailure: Error | undefined;
  #backoff: Subscription | undefined;
  #pumping = false;
  #pumpAgain = false;
  #finished = false;
  readonly #completion: Promise<void>;
  #complete!: () => void;

  /** Prefer {@link createPool}. */
  constructor(options: PoolOptions = {}) {
    assertKnownOptions(options, POOL_OPTION_KEYS, { owner: 'createPool', hints: CONNECTION_OPTION_HINTS });
    this.#config = resolveConfig(connectionOptionsOf(options));
    this.#size = positiveInteger(options.size ?? POOL_DEFAULTS.size, 'size');
    this.#blockingLimit = Math.max(1, this.#size - 1);
    this.#maxInFlight = positiveInteger(options.maxInFlightPerConnection ?? POOL_DEFAULTS.maxInFlightPerConnection, 'maxInFlightPerConnection');
    const maxBlocking = positiveInteger(options.maxBlockingPerConnection ?? POOL_DEFAULTS.maxBlockingPerConnection, 'maxBlockingPerConnection');
    // A single connection must go idle between FETCHes, or ACK/FAIL/PUSH would never get it.
    this.#maxBlocking = this.#size === 1 ? 1 : maxBlocking;
    this.#maxQueued = options.maxQueued ?? POOL_DEFAULTS.maxQueued;
    if (this.#maxQueued !== Number.POSITIVE_INFINITY) positiveInteger(this.#maxQueued, 'maxQueued');
    this.#idleTimeoutMs = options.idleTimeoutMs ?? POOL_DEFAULTS.idleTimeoutMs;
    if (!(this.#idleTimeoutMs > 0)) throw new InvalidArgumentError('must be a positive number of milliseconds', { argument: 'idleTimeoutMs' });
    this.#acquireTimeoutMs = options.acquireTimeoutMs ?? POOL_DEFAULTS.acquireTimeoutMs;
    if (!(this.#acquireTimeoutMs > 0)) {
      throw new InvalidArgumentError(`must be a positive number of milliseconds or Infinity (got ${String(this.#acquireTimeoutMs)})`, { argument: 'acquireTimeoutMs' });
    }
    this.#reconnect = validateReconnect(options.reconnect ?? exponentialBackoff());
    this.#scheduler = options.scheduler ?? asyncScheduler;
    this.#connect = options.connect ?? ((config, limits) => Connection.open(config, limits));
    this.#acquireDeadline = new AcquireDeadline(this.#acquireTimeoutMs, this.#scheduler, [this.#shared, this.#spread, this.#blocking], (expired, now) => {
      this.#expire(expired, now);
    });
    this.events$ = this.#events.asObservable();
    this.#completion = new Promise<void>((resolve) => {
      this.#complete = resolve;
    });
  }

  /** The server address, password redacted. */
  get url(): string {
    return this.#config.redactedUrl;
  }

  /** The URL path's queue name prefix, `''` when none (the client prepends it to queue names). */
  get namespace(): string {
    return this.#config.namespace;
  }

  /** Sockets open or opening. */
  get connections(): number {
    return this.#slots.size;
  }

  /**
   * Sends `VERB args...` on a pooled connection and emits its reply. Cold: nothing is queued
   * before subscription. While every connection is busy it waits for room. Emits one `Reply` and
   * completes, or errors with `ServerError`, `TimeoutError` (the connection is then discarded),
   * `ConnectionError` (lost after writing, more than `maxQueued` waiting, no connection within
   * `acquireTimeoutMs`, or the reconnect strategy gave up), `AuthenticationError`/
   * `HandshakeError`/`ProtocolError` (connecting cannot succeed), `ClosedError` (the pool is
   * closing) or `InvalidArgumentError` (nothing sent). Unsubscribing before the command is
   * written removes it; after, its reply is read and dropped.
   */
  request(verb: string, args: readonly CommandArg[] = [], options: RequestOptions = {}): Observable<Reply> {
    return new Observable<Reply>((subscriber) => {
      if (this.#state !== 'open') {
        subscriber.error(new ClosedError('the pool is closed', { verb }));
        return;
      }
      const bytes = encodeCommand(verb, ...args);
      if (this.#waitingCount() >= this.#maxQueued) {
        subscriber.error(new ConnectionError(`too many requests waiting for a connection (maxQueued ${this.#maxQueued})`, { verb }));
        return;
      }
      const queue = options.blocking === true ? this.#blocking : options.spread === true ? this.#spread : this.#shared;
      const timeoutMs = options.timeoutMs ?? this.#config.commandTimeoutMs;
      const request = new PoolRequest(verb, bytes, timeoutMs, queue, subscriber, this.#requestOwner);
      queue.push(request);
      // Requests already waiting in its queue mean no connection has room for it now (every
      // change of room pumps): it waits behind them without a dispatch pass of its own.
      if (queue.size === 1) this.#pump();
      if (request.state === 'waiting') this.#acquireDeadline.waiting(request);
      return request;
    });
  }

  /**
   * Graceful close: new requests fail with `ClosedError`, waiting and in-flight ones finish,
   * then each connection sends `END` and closes. Starts at once, whether or not the result is
   * subscribed; idempotent, every call (and `destroy()`) shares one completion, which emits
   * `undefined` once every socket is closed, then completes (like every command, so
   * `await firstValueFrom(pool.close())` works).
   */
  close(): Observable<void> {
    if (this.#state === 'open') {
      this.#state = 'closing';
      log.pool('closing %s', this.#config.redactedUrl);
      this.#pump();
    }
    return this.#completionOf();
  }

  /** Forceful close: fails everything pending with `ClosedError` and closes every socket now. Idempotent. */
  destroy(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    log.pool('destroying %s', this.#config.redactedUrl);
    this.#backoff?.unsubscribe();
    this.#acquireDeadline.stop();
    for (const request of this.#drainWaiting()) {
      request.reject(new ClosedError('the pool was destroyed', { verb: request.verb }), false);
    }
    for (const slot of this.#slots) {
      slot.retiring = true;
      slot.idleTimer?.unsubscribe();
      slot.opening?.unsubscribe();
      slot.connection?.destroy(new ClosedError('the pool was destroyed'));
      if (slot.connection === undefined) this.#slots.delete(slot);
    }
    this.#maybeFinish();
  }

  #completionOf(): Observable<void> {
    const completion = this.#completion;
    return new Observable<void>((subscriber) => {
      void completion.then(() => {
        subscriber.next();
        subscriber.complete();
      });
    });
  }

  #pump(): void {
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#pumpAgain = false;
        this.#dispatch();
      } while (this.#askedToPumpAgain());
    } finally {
      this.#pumping = false;
    }
    if (this.#state === 'closing') this.#retireIfDone();
  }

  #dispatch(): void {
    this.#dispatchFrom(this.#shared, () => this.#sharedSlot());
    this.#dispatchFrom(this.#spread, () => this.#spreadSlot());
    this.#dispatchFrom(this.#blocking, () => this.#blockingSlot());
    this.#openForDemand();
  }

  /** Sends the requests of `queue`, in order, while `slotFor` finds room for the next one. */
  #dispatchFrom(queue: RequestQueue<PoolRequest>, slotFor: () => Slot | undefined): void {
    let sent = false;
    while (queue.size > 0) {
      const slot = slotFor();
      if (slot === undefined) break;
      const request = queue.shift();
      if (request === undefined) break;
      if (queue === this.#blocking) slot.exclusive = true;
      this.#send(request, slot);
      sent = true;
    }
    if (sent && queue.size > 0) queue.progressAt = this.#scheduler.now();
  }

  #send(request: PoolRequest, slot: Slot): void {
    const connection = slot.connection;
    if (connection === undefined) return;
    request.state = 'sent';
    // send() may settle the request at once (a dead connection); its cancel is then a no-op.
    request.cancel = connection.send(request);
  }

  /** Whether a request settled during a dispatch asked for another (re-entrant pumps are deferred). */
  #askedToPumpAgain(): boolean {
    return this.#pumpAgain;
  }

  #sharedSlot(): Slot | undefined {
    for (const slot of this.#slots) {
      const connection = slot.connection;
      if (connection?.usable === true && !slot.exclusive && connection.pending < this.#maxInFlight) return slot;
    }
    return undefined;
  }

  /**
   * The shared connection with the fewest commands pending, or none yet when it is busy and the
   * pool can still open another (which {@link Pool.#openForDemand} does): so each batch in flight
   * gets a socket of its own, up to `size`, and a slow or lost socket holds back only its own.
   */
  #spreadSlot(): Slot | undefined {
    let best: Slot | undefined;
    let bestPending = Number.POSITIVE_INFINITY;
    let opening = false;
    for (const slot of this.#slots) {
      const connection = slot.connection;
      if (connection === undefined) opening = true;
      if (connection?.usable !== true || slot.exclusive || connection.pending >= this.#maxInFlight) continue;
      if (connection.pending < bestPending) {
        best = slot;
        bestPending = connection.pending;
      }
    }
    const another = this.#backoff === undefined && (opening || this.#slots.size < this.#size);
    return bestPending > 0 && another ? undefined : best;
  }

  /** A connection with room for one more blocking command: one already leased first, else an idle one (within the limit). */
  #blockingSlot(): Slot | undefined {
    let idle: Slot | undefined;
    let exclusive = 0;
    for (const slot of this.#slots) {
      const connection = slot.connection;
      if (slot.exclusive) exclusive++;
      if (connection?.usable !== true) continue;
      if (slot.exclusive) {
        if (connection.pending < this.#maxBlocking) return slot;
      } else if (idle === undefined && connection.pending === 0) {
        idle = slot;
      }
    }
    return exclusive < this.#blockingLimit ? idle : undefined;
  }

  #exclusiveCount(): number {
    let count = 0;
    for (const slot of this.#slots) if (slot.exclusive) count++;
    return count;
  }

  #openForDemand(): void {
    if (this.#state === 'closed' || this.#backoff !== undefined || this.#waitingCount() === 0) return;
    let opening = 0;
    for (const slot of this.#slots) if (slot.connection === undefined) opening++;
    // Blocking requests still waiting found no leased connection with room: they need new ones.
    const blockingDemand = Math.min(Math.ceil(this.#blocking.size / this.#maxBlocking), this.#blockingLimit - this.#exclusiveCount());
    // Each spread request still waiting found every connection busy: it wants one of its own.
    const demand = Math.max(this.#shared.size > 0 ? 1 : 0, this.#spread.size) + Math.max(0, blockingDemand);
    for (let n = opening; n < demand && this.#slots.size < this.#size; n++) this.#open();
  }

  #open(): void {
    const slot: Slot = { connection: undefined, opening: undefined, exclusive: false, retiring: false, idleTimer: undefined, idleSince: 0 };
    this.#slots.add(slot);
    log.pool('opening connection %d/%d to %s', this.#slots.size, this.#size, this.#config.redactedUrl);
    const limits: ConnectionLimits = {
      maxInFlight: this.#maxInFlight,
      maxQueued: this.#maxInFlight,
      scheduler: this.#scheduler,
      onSettle: () => {
        this.#onSettle(slot);
      },
    };
    slot.opening = this.#connect(this.#config, limits).subscribe({
      next: (connection) => {
        slot.opening = undefined;
        slot.connection = connection;
        this.#lastFailure = undefined;
        void connection.closed.then((cause) => {
          this.#onClosed(slot, cause);
        });
        this.#events.next({ type: 'connected', connections: this.#readyCount() });
        this.#pump();
      },
      error: (error: unknown) => {
        slot.opening = undefined;
        this.#slots.delete(slot);
        this.#onFailure(asError(error));
      },
    });
  }

  #onSettle(slot: Slot): void {
    const connection = slot.connection;
    if (connection?.pending === 0) {
      slot.exclusive = false;
      if (this.#state === 'open' && connection.usable) {
        slot.idleSince = this.#scheduler.now();
        if (slot.idleTimer === undefined) this.#armIdleTimer(slot, connection, this.#idleTimeoutMs);
      }
    }
    this.#pump();
  }

  /**
   * Closes the connection once it has been idle for `idleTimeoutMs`. The timer is not cancelled
   * when work arrives (that would cost a timer per request): when it fires it re-arms for the
   * rest of the idle time, or lets the next settle that leaves the connection idle re-arm it.
   */
  #armIdleTimer(slot: Slot, connection: PoolConnection, delayMs: number): void {
    slot.idleTimer = this.#scheduler.schedule(() => {
      slot.idleTimer = undefined;
      if (this.#state !== 'open' || connection.pending > 0 || !connection.usable) return;
      const idleForMs = this.#scheduler.now() - slot.idleSince;
      if (idleForMs < this.#idleTimeoutMs) {
        this.#armIdleTimer(slot, connection, this.#idleTimeoutMs - idleForMs);
        return;
      }
      log.pool('closing an idle connection to %s', this.#config.redactedUrl);
      slot.retiring = true;
      connection.close().subscribe();
    }, delayMs);
  }

  #onClosed(slot: Slot, cause: Error | undefined): void {
    slot.idleTimer?.unsubscribe();
    this.#slots.delete(slot);
    if (!slot.retiring && this.#state !== 'closed') {
      const error = cause ?? new ConnectionError('the server closed the connection');
      this.#events.next({ type: 'disconnected', connections: this.#readyCount(), error });
      this.#onFailure(error);
    } else {
      this.#pump();
    }
    this.#maybeFinish();
  }

  /** A connect failed or a connection died: back off before the next connect, or give up. */
  #onFailure(error: Error): void {
    if (this.#state === 'closed') {
      this.#maybeFinish();
      return;
    }
    this.#failures++;
    this.#lastFailure = error;
    const delayMs = reconnectDelay(this.#reconnect, this.#failures, error);
    if (delayMs === false) {
      log.pool('not reconnecting to %s after %s', this.#config.redactedUrl, error.message);
      this.#failures = 0;
      // Whether a connect failed or a live connection died, nothing may reconnect on its own
      // after an error that is not retriable: the waiting requests fail with it.
      if (this.#readyCount() === 0) this.#failWaiters(error);
    } else {
      log.pool('reconnecting to %s in %dms (attempt %d): %s', this.#config.redactedUrl, delayMs, this.#failures, error.message);
      this.#events.next({ type: 'reconnecting', attempt: this.#failures, delayMs, error });
      this.#backoff?.unsubscribe();
      this.#backoff = this.#scheduler.schedule(() => {
        this.#backoff = undefined;
        this.#pump();
      }, delayMs);
    }
    this.#pump();
  }

  #failWaiters(error: Error): void {
    const failure = error instanceof FaktoryError ? error : new ConnectionError(error.message, { cause: error });
    for (const request of this.#drainWaiting()) {
      // Rejected as if written, so the request passes the error on instead of waiting again.
      request.reject(failure, true);
    }
  }

  /** Fails requests that waited `acquireTimeoutMs` for a connection (already out of the queues). */
  #expire(expired: readonly PoolRequest[], now: number): void {
    const cause = this.#lastFailure;
    const reason = cause === undefined ? '' : `: ${cause.message}`;
    log.pool('%d requests waited %dms for a connection to %s%s', expired.length, this.#acquireTimeoutMs, this.#config.redactedUrl, reason);
    for (const request of expired) {
      const waitedMs = now - (request.waitingSince ?? now);
      const message = `waited ${waitedMs}ms for a connection to ${this.#config.redactedUrl} (acquireTimeoutMs ${this.#acquireTimeoutMs})${reason}`;
      request.fail(new ConnectionError(message, cause === undefined ? { verb: request.verb } : { verb: request.verb, cause }));
    }
    this.#pump();
  }

  /** When closing gracefully and nothing is left to do: END every connection. */
  #retireIfDone(): void {
    if (this.#waitingCount() > 0) return;
    for (const slot of this.#slots) if ((slot.connection?.pending ?? 0) > 0) return;
    this.#state = 'closed';
    this.#backoff?.unsubscribe();
    this.#acquireDeadline.stop();
    for (const slot of this.#slots) {
      slot.retiring = true;
      slot.idleTimer?.unsubscribe();
      if (slot.connection === undefined) {
        slot.opening?.unsubscribe();
        this.#slots.delete(slot);
      } else {
        slot.connection.close().subscribe();
      }
    }
    this.#maybeFinish();
  }

  #maybeFinish(): void {
    if (this.#state !== 'closed' || this.#slots.size > 0 || this.#finished) return;
    this.#finished = true;
    log.pool('closed %s', this.#config.redactedUrl);
    this.#events.next({ type: 'closed' });
    this.#events.complete();
    this.#complete();
  }

  #waitingCount(): number {
    return this.#shared.size + this.#spread.size + this.#blocking.size;
  }

  #drainWaiting(): PoolRequest[] {
    return [...this.#shared.drain(), ...this.#spread.drain(), ...this.#blocking.drain()];
  }

  #readyCount(): number {
    let count = 0;
    for (const slot of this.#slots) if (slot.connection?.usable === true) count++;
    return count;
  }
}

/**
 * Creates a connection pool. Opens nothing until the first request.
 *
 * @example
 * const pool = createPool({ url: 'tcp://:secret@localhost:7419', size: 3 });
 * const reply = await firstValueFrom(pool.request('INFO'));
 * await firstValueFrom(pool.close());
 */
export function createPool(options: PoolOptions = {}): Pool {
  return new Pool(options);
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new ConnectionError(String(error));
}

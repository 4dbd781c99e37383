import type { Observable } from 'rxjs';
import type { CommandArg, Frame, ErrorFrame } from '../codec/index.js';

/**
 * A successful reply: any frame but an error. Error frames become a `ServerError` on the
 * request's error channel.
 */
export type Reply = Exclude<Frame, ErrorFrame>;

/** Options of one request. */
export interface RequestOptions {
  /**
   * The command may hold the connection while the server waits (FETCH blocks up to 2 s), so it
   * goes on a connection that carries no other kind of command, pipelined behind at most
   * `maxBlockingPerConnection - 1` other blocking ones.
   * @defaultValue false
   */
  readonly blocking?: boolean;
  /**
   * The command is large (a `PUSHB`): it goes to the shared connection with the fewest commands
   * pending, and to a connection of its own while the pool can open another, so that such
   * commands in flight travel side by side (the server runs one connection's commands one after
   * another) and a slow or lost socket holds back or fails only its own. Ignored for `blocking`
   * commands.
   * @defaultValue false
   */
  readonly spread?: boolean;
  /**
   * How long to wait for the reply, in milliseconds, from when the command heads its
   * connection's pipeline (when it is written, or when the command before it is answered: the
   * server answers in order). On timeout the request errors with `TimeoutError` and its
   * connection is discarded.
   * @defaultValue the pool's `commandTimeoutMs`
   */
  readonly timeoutMs?: number;
}

/**
 * What the client layer needs of the transport: send one command and get its reply. The
 * Observable is cold (nothing is written before subscription), emits exactly one `Reply` and
 * completes, or errors with a `FaktoryError` (`ServerError`, `ConnectionError`,
 * `TimeoutError`, `ClosedError`, ...). Unsubscribing before the command is written removes
 * it; after, its reply is read and discarded so the connection stays in step.
 */
export interface Requester {
  request(verb: string, args?: readonly CommandArg[], options?: RequestOptions): Observable<Reply>;
}

/** The identity a worker's connections present in `HELLO`. */
export interface WorkerIdentity {
  /** Unique worker id; every connection of one worker sends the same. */
  readonly wid: string;
  /** @defaultValue `os.hostname()` */
  readonly hostname?: string;
  /** @defaultValue `process.pid` */
  readonly pid?: number;
  /** @defaultValue `['node']` */
  readonly labels?: readonly string[];
}

/** A change in a pool's connectivity, for health checks and worker events. */
export type PoolEvent =
  | { readonly type: 'connected'; readonly connections: number }
  | { readonly type: 'disconnected'; readonly connections: number; readonly error: Error }
  | { readonly type: 'reconnecting'; readonly attempt: number; readonly delayMs: number; readonly error: Error }
  | { readonly type: 'closed' };

/** A pool as the client layer sees it: a `Requester` with connectivity events and a lifecycle. */
export interface PoolLike extends Requester {
  /** The queue name prefix from the URL's path, prepended to queue names by the client. @defaultValue `''` */
  readonly namespace?: string;
  /** Connectivity changes, for health checks and worker events. Hot; never errors. */
  readonly events$: Observable<PoolEvent>;
  /**
   * Graceful: refuse new requests, finish pending ones, send `END` on each socket. Idempotent.
   * Emits `undefined` once closed, then completes.
   */
  close(): Observable<void>;
  /** Forceful: fail everything pending with `ClosedError`, close sockets now. Idempotent. */
  destroy(): void;
}

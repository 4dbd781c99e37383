import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { asyncScheduler, Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { encodeCommand, RespDecoder, type CommandArg, type Frame } from '../codec/index.js';
import {
  ClosedError,
  ConnectionError,
  FaktoryError,
  HandshakeError,
  ProtocolError,
  ServerError,
  TimeoutError,
} from '../errors.js';
import { positiveInteger } from './option-checks.js';
import type { ResolvedConfig } from './config.js';
import { buildHello, checkHelloReply, parseGreeting } from './handshake.js';
import { log } from './log.js';
import type { PendingRequest } from './pending-request.js';
import { SubscriberRequest } from './subscriber-request.js';
import { plainServerError, speaksTls, tlsServerError } from './tls-mismatch.js';
import type { Reply, RequestOptions } from './types.js';

export type { PendingRequest } from './pending-request.js';

/** Limits and clock of one {@link Connection}. */
export interface ConnectionLimits {
  /** Commands written and awaiting their reply at once (the pipelining bound). @defaultValue 100 */
  readonly maxInFlight?: number;
  /** Commands accepted but not yet written; one more fails fast with `ConnectionError`. @defaultValue 1_000 */
  readonly maxQueued?: number;
  /** Clock of every timer (connect, reply and close timeouts). @defaultValue `asyncScheduler` */
  readonly scheduler?: SchedulerLike;
  /** @internal Called whenever a command leaves the connection by its reply or its cancellation (a pool's cue to dispatch more). */
  readonly onSettle?: () => void;
}

/** Defaults of {@link ConnectionLimits}. */
export const CONNECTION_LIMIT_DEFAULTS = Object.freeze({ maxInFlight: 100, maxQueued: 1_000 });

interface Entry {
  readonly request: PendingRequest;
  state: 'queued' | 'awaiting' | 'done';
  /** Unsubscribed after it was written: read its reply and drop it. */
  discard: boolean;
  writtenAt: number;
  /** When its reply is overdue, on the scheduler's clock: set once it heads the pipeline. */
  deadline: number;
}

type State = 'greeting' | 'hello' | 'ready' | 'closing' | 'closed';

/** A command at least this large is written at once instead of joining the corked write of its event-loop turn. */
const UNCORKED_BYTES = 16 * 1024;

/** The server's unsolicited farewell when it is over its connection limit (it still said `+OK`). */
const TOO_MANY_CONNECTIONS = /^too many connections/i;

/**
 * One socket to a Faktory server, piped through a `RespDecoder`, with the handshake done.
 *
 * Replies are matched to commands in order using two bounded queues: commands not yet written
 * (unsubscribing removes them) and commands awaiting their reply (unsubscribing marks the reply
 * to be read and dropped, so the stream stays in step). An error reply fails its own command
 * with `ServerError`. A reply nobody asked for is a `ProtocolError` that kills the connection;
 * so does a reply timeout (the stream position is then unknown). The server answers in order, so
 * a command's time limit counts from when it heads the pipeline: from its write, or from the
 * reply to the command before it (a FETCH queued behind others that each wait for a job is not
 * late while they are answered in time). The late command gets
 * `TimeoutError`, every other pending one a retriable `ConnectionError` carrying the cause, as
 * when the socket dies. A connection is never reused after it died. Socket and decoder errors
 * are always handled here; none reaches the process.
 *
 * Most code uses a pool (`createPool`); a connection suits tools that want one socket.
 *
 * @example
 * const connection = await firstValueFrom(Connection.open(resolveConfig()));
 * const reply = await firstValueFrom(connection.request('INFO'));
 * await firstValueFrom(connection.close());
 */
export class Connection {
  /**
   * Opens a socket and performs the handshake. Cold: connects on subscription; emits the ready
   * connection once and completes, or errors with `ConnectionError` (refused, lost, or
   * `connectTimeoutMs` exceeded: retriable), `HandshakeError` (also for a TLS/plain mismatch:
   * `tcp+tls://` to a plain server, or `tcp://` to a TLS one, found by a TLS probe when a plain
   * connection got no greeting), `AuthenticationError` or `ProtocolError`. Unsubscribing before
   * it emits destroys the socket.
   */
  static open(config: ResolvedConfig, limits: ConnectionLimits = {}): Observable<Connection> {
    return new Observable<Connection>((subscriber) => {
      const connection = new Connection(config, limits, (error) => {
        if (error === undefined) {
          subscriber.next(connection);
          subscriber.complete();
        } else if (error instanceof ConnectionError && config.tls === false && connection.#connected && connection.#socket.bytesRead === 0) {
          // Connected, and not a byte of greeting: perhaps a TLS server waiting for our hello.
          subscriber.add(
            speaksTls(config, limits.scheduler ?? asyncScheduler).subscribe((tls) => {
              subscriber.error(tls ? tlsServerError(config, error) : error);
            }),
          );
        } else {
          subscriber.error(error);
        }
      });
      return () => {
        if (connection.#state === 'greeting' || connection.#state === 'hello') {
          connection.destroy(new ClosedError('the connection was abandoned during the handshake'));
        }
      };
    });
  }

  /** Settles when the socket has closed: with `undefined` after a graceful close, else the cause. */
  readonly closed: Promise<Error | undefined>;
  readonly #config: ResolvedConfig;
  readonly #scheduler: SchedulerLike;
  readonly #maxInFlight: number;
  readonly #maxQueued: number;
  readonly #socket: Socket;
  readonly #decoder = new RespDecoder();
  readonly #unwritten: Entry[] = [];
  readonly #awaiting: Entry[] = [];
  readonly #onOpen: (error?: FaktoryError) => void;
  readonly #onSettle: (() => void) | undefined;
  #state: State = 'greeting';
  /** The TCP connection was established (whatever happened after). */
  #connected = false;
  #blocked = false;
  #corked = false;
  /** Commands written into the current cork. */
  #corkedEntries = 0;
  #timer: Subscription | undefined;
  /** One timer for the reply deadline of the command at the head of the pipeline. */
  #deadlineTimer: Subscription | undefined;
  #deadlineAt = Number.POSITIVE_INFINITY;
  /** A reply deadline that passed, to be judged once pending I/O was read (see {@link Connection.#checkDeadlines}). */
  #judging: NodeJS.Immediate | undefined;
  #socketError: Error | undefined;
  #settleClosed!: (cause: Error | undefined) => void;
  #closeCompletion: Promise<void> | undefined;
  #resolveDrained: (() => void) | undefined;
  /** Ends the cork of {@link Connection.#write}: scheduled once per event-loop turn with writes (one function per connection, not per turn). */
  readonly #uncork = (): void => {
    if (!this.#corked) return;
    this.#corked = false;
    this.#socket.uncork();
    // The corked commands leave now: their time limits count from here, not from when they were
    // corked. (After the event loop was blocked between the two, a command judged by its cork
    // time would time out before the server could answer, and the connection be discarded with
    // its reply on the way: a FETCH's job stranded.) They are the last ones awaiting a reply.
    const now = this.#scheduler.now();
    const awaiting = this.#awaiting;
    for (let i = Math.max(0, awaiting.length - this.#corkedEntries); i < awaiting.length; i++) {
      const entry = awaiting[i] as Entry;
      entry.writtenAt = now;
      if (i === 0) this.#headFrom(entry, now);
    }
    this.#corkedEntries = 0;
  };

  private constructor(config: ResolvedConfig, limits: ConnectionLimits, onOpen: (error?: FaktoryError) => void) {
    this.#config = config;
    this.#scheduler = limits.scheduler ?? asyncScheduler;
    this.#maxInFlight = positiveInteger(limits.maxInFlight ?? CONNECTION_LIMIT_DEFAULTS.maxInFlight, 'maxInFlight');
    this.#maxQueued = positiveInteger(limits.maxQueued ?? CONNECTION_LIMIT_DEFAULTS.maxQueued, 'maxQueued');
    this.#onOpen = onOpen;
    this.#onSettle = limits.onSettle;
    this.closed = new Promise((resolve) => {
      this.#settleClosed = resolve;
    });
    const { host, port } = config;
    log.connection('connecting to %s', config.redactedUrl);
    this.#socket = config.tls === false ? netConnect({ host, port }) : tlsConnect({ ...config.tls, host, port });
    this.#socket.setNoDelay(true);
    this.#socket.setKeepAlive(config.keepAlive, config.keepAliveInitialDelayMs);
    this.#socket.once('connect', () => {
      this.#connected = true;
    });
    this.#socket.on('error', (error) => {
      this.#socketError ??= error;
    });
    this.#socket.on('close', () => {
      this.#onSocketClose();
    });
    this.#socket.on('data', (chunk: Buffer) => {
      this.#decoder.write(chunk);
    });
    this.#socket.on('drain', () => {
      this.#blocked = false;
      this.#flush();
    });
    this.#decoder.on('data', (frame: Frame) => {
      this.#onFrame(frame);
    });
    this.#decoder.on('error', (error) => {
      const cause = error instanceof ProtocolError ? error : new ProtocolError('the reply stream failed', { cause: error });
      this.#terminate(cause, true);
    });
    this.#timer = this.#scheduler.schedule(() => {
      const cause = new TimeoutError(`connecting and the handshake took over ${config.connectTimeoutMs}ms`, {
        timeoutMs: config.connectTimeoutMs,
      });
      this.#terminate(new ConnectionError(`cannot connect to ${config.redactedUrl}: ${cause.message}`, { cause }));
    }, config.connectTimeoutMs);
  }

  /** Commands accepted and not yet answered (queued or awaiting their reply). */
  get pending(): number {
    return this.#unwritten.length + this.#awaiting.length;
  }

  /** Whether the connection takes new commands (handshake done, neither closing nor dead). */
  get usable(): boolean {
    return this.#state === 'ready';
  }

  /**
   * Sends `VERB args...` and emits its reply. Cold: nothing is written before subscription.
   * Emits one `Reply` and completes, or errors with `ServerError` (an error reply),
   * `TimeoutError` (no reply within `options.timeoutMs`, default `commandTimeoutMs`; the
   * connection is then discarded), `ConnectionError` (the socket died, or the queue of
   * `maxQueued` unwritten commands is full), `ClosedError` (the connection is closing) or
   * `InvalidArgumentError` (an argument that would break the line; nothing is sent).
   * `options.blocking` means nothing here: the caller gave this connection to the command.
   */
  request(verb: string, args: readonly CommandArg[] = [], options: RequestOptions = {}): Observable<Reply> {
    return new Observable<Reply>((subscriber) =>
      this.send(new SubscriberRequest(verb, encodeCommand(verb, ...args), options.timeoutMs ?? this.#config.commandTimeoutMs, subscriber)),
    );
  }

  /** @internal Queues a command; returns its cancellation (remove if unwritten, else discard the reply). */
  send(request: PendingRequest): () => void {
    if (this.#state !== 'ready') {
      request.reject(
        this.#state === 'closed'
          ? new ConnectionError('the connection is lost', { verb: request.verb })
          : new ClosedError('the connection is closing', { verb: request.verb }),
        false,
      );
      return noop;
    }
    if (this.#unwritten.length >= this.#maxQueued) {
      request.reject(new ConnectionError(`too many commands waiting to be written (maxQueued ${this.#maxQueued})`, { verb: request.verb }), false);
      return noop;
    }
    const entry: Entry = { request, state: 'queued', discard: false, writtenAt: 0, deadline: 0 };
    this.#unwritten.push(entry);
    this.#flush();
    return () => {
      if (entry.state === 'queued') {
        entry.state = 'done';
        this.#unwritten.splice(this.#unwritten.indexOf(entry), 1);
        this.#checkDrained();
        this.#onSettle?.();
      } else if (entry.state === 'awaiting') {
        entry.discard = true;
      }
    };
  }

  /**
   * Graceful close: refuses new commands with `ClosedError`, lets pending ones finish, sends
   * `END` (which gets no reply) and waits for the socket to close. Starts at once; idempotent,
   * every call returns the same completion, which emits `undefined` once closed, then completes
   * (it never errors; a connection that dies meanwhile is simply closed). Gives up waiting for
   * the server after `commandTimeoutMs` once `END` is sent.
   */
  close(): Observable<void> {
    this.#closeCompletion ??= this.#closeGracefully();
    const completion = this.#closeCompletion;
    return new Observable<void>((subscriber) => {
      void completion.then(() => {
        subscriber.next();
        subscriber.complete();
      });
    });
  }

  /** Forceful close: fails every pending command (with `cause`, default `ClosedError`) and destroys the socket. Idempotent. */
  destroy(cause: FaktoryError = new ClosedError('the connection was destroyed')): void {
    this.#terminate(cause);
  }

  async #closeGracefully(): Promise<void> {
    if (this.#state === 'ready') {
      this.#state = 'closing';
      if (this.pending > 0) {
        await new Promise<void>((resolve) => {
          this.#resolveDrained = resolve;
        });
      }
    }
    if (this.#state === 'closing') {
      this.#timer?.unsubscribe();
      this.#timer = this.#scheduler.schedule(() => {
        this.#terminate(new ConnectionError('the server did not close the socket after END'));
      }, this.#config.commandTimeoutMs);
      log.connection('END %s', this.#config.redactedUrl);
      this.#socket.end(encodeCommand('END'));
    } else if (this.#state !== 'closed') {
      this.destroy(new ClosedError('the connection was closed during the handshake'));
    }
    await this.closed;
  }

  #checkDrained(): void {
    if (this.#state === 'closing' && this.pending === 0 && this.#resolveDrained !== undefined) {
      const resolve = this.#resolveDrained;
      this.#resolveDrained = undefined;
      resolve();
    }
  }

  #flush(): void {
    while (!this.#blocked && this.#awaiting.length < this.#maxInFlight && (this.#state === 'ready' || this.#state === 'closing')) {
      const entry = this.#unwritten.shift();
      if (entry === undefined) return;
      this.#write(entry);
    }
  }

  #write(entry: Entry): void {
    const { request } = entry;
    if (request.bytes.length >= UNCORKED_BYTES) {
      // Large enough to be worth a syscall of its own: it leaves now (after what is corked), so
      // the server can start on it while this turn goes on (e.g. preparing the next PUSHB).
      if (this.#corked) this.#uncork();
    } else if (!this.#corked) {
      // The first command of an event-loop turn corks the socket and schedules one uncork for
      // the turn's check phase (`setImmediate`, after the I/O read in its poll phase); every
      // command written meanwhile joins it. So the commands that the replies read in one poll
      // phase bring about (a worker's ACKs of the jobs those FETCHes brought) leave in one
      // write syscall, not one per socket read; a lone command waits only for the rest of its
      // turn, never for new I/O (the poll phase does not block while an immediate is pending).
      this.#corked = true;
      this.#socket.cork();
      setImmediate(this.#uncork);
    }
    if (this.#corked) this.#corkedEntries++;
    entry.state = 'awaiting';
    entry.writtenAt = this.#scheduler.now();
    this.#awaiting.push(entry);
    if (this.#awaiting.length === 1) this.#headFrom(entry, entry.writtenAt);
    if (!this.#socket.write(request.bytes)) this.#blocked = true;
  }

  #onFrame(frame: Frame): void {
    switch (this.#state) {
      case 'greeting':
        this.#onGreeting(frame);
        return;
      case 'hello':
        this.#onHelloReply(frame);
        return;
      case 'ready':
      case 'closing':
        this.#onReply(frame);
        return;
      case 'closed':
        return;
    }
  }

  #onGreeting(frame: Frame): void {
    try {
      const hello = buildHello(parseGreeting(frame), this.#config);
      log.handshake('HI from %s; HELLO v%d%s%s', this.#config.redactedUrl, hello.v, hello.pwdhash === undefined ? '' : ' with pwdhash', hello.wid === undefined ? '' : ` as worker ${hello.wid}`);
      this.#state = 'hello';
      this.#socket.write(encodeCommand('HELLO', hello));
    } catch (error) {
      this.#terminate(asFaktoryError(error));
    }
  }

  #onHelloReply(frame: Frame): void {
    try {
      checkHelloReply(frame);
    } catch (error) {
      this.#terminate(asFaktoryError(error));
      return;
    }
    this.#state = 'ready';
    this.#timer?.unsubscribe();
    this.#timer = undefined;
    log.handshake('ready: %s', this.#config.redactedUrl);
    this.#onOpen();
  }

  #onReply(frame: Frame): void {
    const entry = this.#awaiting.shift();
    if (entry === undefined) {
      const detail = frame.type === 'error' ? `: ${frame.code ?? ''} ${frame.message}` : ` (${frame.type})`;
      this.#terminate(new ProtocolError(`the server sent a reply nobody asked for${detail}`));
      return;
    }
    if (frame.type === 'error' && TOO_MANY_CONNECTIONS.test(frame.message)) {
      // Unsolicited, though a command happened to be waiting: not that command's reply.
      this.#awaiting.unshift(entry);
      this.#terminate(new ConnectionError(`the server refused the connection: ${frame.message}`));
      return;
    }
    entry.state = 'done';
    const next = this.#awaiting[0];
    if (next !== undefined) this.#headFrom(next, this.#scheduler.now());
    const { request } = entry;
    if (log.command.enabled) log.command('%s %dms%s', request.verb, this.#scheduler.now() - entry.writtenAt, entry.discard ? ' (discarded)' : '');
    if (!entry.discard) {
      if (frame.type === 'error') {
        request.reject(new ServerError(frame.message, { serverCode: frame.code, verb: request.verb }), true);
      } else {
        request.resolve(frame);
      }
    }
    this.#flush();
    this.#checkDrained();
    this.#onSettle?.();
  }

  /** `entry` heads the pipeline since `now`: its reply is due by `now + timeoutMs`. */
  #headFrom(entry: Entry, now: number): void {
    entry.deadline = now + entry.request.timeoutMs;
    // The armed timer may be later (a patient command was at the head); an earlier one re-checks.
    if (entry.deadline < this.#deadlineAt) this.#armDeadline(entry.deadline);
  }

  #armDeadline(at: number): void {
    this.#deadlineTimer?.unsubscribe();
    this.#deadlineAt = at;
    this.#deadlineTimer = this.#scheduler.schedule(() => {
      this.#checkDeadlines();
    }, Math.max(0, at - this.#scheduler.now()));
  }

  /**
   * Fails the head command if overdue, or re-arms the timer for its deadline. An overdue head is
   * judged only after the I/O already pending was read (`setImmediate` runs after the poll
   * phase): after a long block of the event loop, timers run before sockets are read, and the
   * reply may be sitting in the socket's buffer. Discarding the connection then would throw
   * away replies that arrived in time (a fetched job stranded, an accepted ACK or PUSH reported
   * as failed).
   */
  #checkDeadlines(): void {
    this.#deadlineTimer = undefined;
    this.#deadlineAt = Number.POSITIVE_INFINITY;
    const head = this.#awaiting[0];
    if (head === undefined || this.#judging !== undefined) return;
    if (head.deadline > this.#scheduler.now()) {
      this.#armDeadline(head.deadline);
      return;
    }
    this.#judging = setImmediate(() => {
      this.#judging = undefined;
      const current = this.#awaiting[0];
      if (current === undefined || this.#state === 'closed') return;
      if (current === head && current.deadline <= this.#scheduler.now()) this.#onTimeout(current);
      else this.#armDeadline(current.deadline);
    });
  }

  #onTimeout(entry: Entry): void {
    const { verb, timeoutMs } = entry.request;
    const error = new TimeoutError(`no reply to ${verb} within ${timeoutMs}ms`, { verb, timeoutMs });
    log.connection('discarding %s: %s', this.#config.redactedUrl, error.message);
    this.#terminate(error, false, entry, error);
  }

  #onSocketClose(): void {
    if (this.#state === 'closing' && this.pending === 0) {
      this.#finish(undefined);
      return;
    }
    const cause = this.#socketError;
    if (cause !== undefined && isCertificateError(cause)) {
      // Retrying cannot fix an untrusted or mismatched certificate.
      this.#terminate(new HandshakeError(`TLS verification of ${this.#config.redactedUrl} failed: ${cause.message}`, { cause }));
      return;
    }
    const plainServer = cause === undefined || this.#config.tls === false ? undefined : plainServerError(this.#config, cause);
    if (plainServer !== undefined) {
      this.#terminate(plainServer);
      return;
    }
    const message = cause === undefined ? 'the server closed the connection' : `the connection failed: ${cause.message}`;
    this.#terminate(new ConnectionError(message, cause === undefined ? {} : { cause }));
  }

  /**
   * Kills the connection: every pending command fails (the one at the head with `cause` itself
   * when `headGetsCause`, `entry` with `entryError`, the others with `ConnectionError`), the
   * socket is destroyed, and `closed` settles with `cause`.
   */
  #terminate(cause: FaktoryError, headGetsCause = false, special?: Entry, specialError?: FaktoryError): void {
    if (this.#state === 'closed') return;
    const opening = this.#state === 'greeting' || this.#state === 'hello';
    this.#state = 'closed';
    log.connection('closed %s: %s', this.#config.redactedUrl, cause.message);
    const awaiting = this.#awaiting.splice(0);
    const unwritten = this.#unwritten.splice(0);
    for (const [index, entry] of awaiting.entries()) {
      entry.state = 'done';
      if (entry.discard) continue;
      const { verb } = entry.request;
      const error =
        entry === special && specialError !== undefined
          ? specialError
          : index === 0 && headGetsCause
            ? cause
            : new ConnectionError(`the connection was lost with ${verb} awaiting its reply`, { cause, verb });
      entry.request.reject(error, true);
    }
    for (const entry of unwritten) {
      entry.state = 'done';
      entry.request.reject(new ConnectionError('the connection was lost before the command was written', { cause, verb: entry.request.verb }), false);
    }
    this.#finish(cause);
    if (opening) this.#onOpen(cause);
  }

  #finish(cause: Error | undefined): void {
    this.#state = 'closed';
    this.#timer?.unsubscribe();
    this.#timer = undefined;
    this.#deadlineTimer?.unsubscribe();
    this.#deadlineTimer = undefined;
    if (this.#judging !== undefined) clearImmediate(this.#judging);
    this.#judging = undefined;
    this.#socket.destroy();
    this.#decoder.destroy();
    const resolve = this.#resolveDrained;
    this.#resolveDrained = undefined;
    resolve?.();
    this.#settleClosed(cause);
  }
}

const CERTIFICATE_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ALTNAME/;

function isCertificateError(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && CERTIFICATE_ERROR.test(code);
}

function noop(): void {
  // Nothing to cancel.
}

function asFaktoryError(error: unknown): FaktoryError {
  return error instanceof FaktoryError ? error : new ProtocolError('the handshake failed', { cause: error });
}


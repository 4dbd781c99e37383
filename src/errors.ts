/**
 * The errors faktory-rx raises. Every error is a {@link FaktoryError} with a stable literal
 * `code`, so callers can branch on `err.code` (or `instanceof`) without parsing messages.
 * Causes are kept with the standard `{ cause }`. No message ever contains a password or a
 * `pwdhash`.
 *
 * @module
 */

/** Every `code` a {@link FaktoryError} can carry. */
export type FaktoryErrorCode =
  | 'FAKTORY_ERR_CONNECTION'
  | 'FAKTORY_ERR_PROTOCOL'
  | 'FAKTORY_ERR_HANDSHAKE'
  | 'FAKTORY_ERR_AUTH'
  | 'FAKTORY_ERR_SERVER'
  | 'FAKTORY_ERR_TIMEOUT'
  | 'FAKTORY_ERR_CLOSED'
  | 'FAKTORY_ERR_INVALID_JOB'
  | 'FAKTORY_ERR_INVALID_ARGUMENT';

/** Context shared by most errors: what was being done when it happened. */
export interface FaktoryErrorOptions {
  /** The underlying error. */
  readonly cause?: unknown;
  /** The command verb in flight, e.g. `PUSH`. */
  readonly verb?: string;
  /** The job concerned, when there is one. */
  readonly jid?: string;
}

/** Base class of every error raised by faktory-rx. */
export abstract class FaktoryError extends Error {
  /** A stable machine-readable code. */
  abstract readonly code: FaktoryErrorCode;
  /** Whether retrying the same operation later may succeed. */
  readonly retriable: boolean = false;
  /** The command verb in flight, when known. */
  readonly verb: string | undefined;
  /** The job concerned, when known. */
  readonly jid: string | undefined;

  constructor(message: string, options: FaktoryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.verb = options.verb;
    this.jid = options.jid;
  }
}

/**
 * The socket could not be opened, or died (reset, closed, half-open, TLS failure). Retriable:
 * the pool reconnects and the worker redelivers ACK/FAIL.
 */
export class ConnectionError extends FaktoryError {
  readonly code = 'FAKTORY_ERR_CONNECTION' as const;
  override readonly retriable = true;
}

/** The server sent bytes that are not the RESP we expect, or a reply nobody asked for. Fatal for the connection. */
export class ProtocolError extends FaktoryError {
  readonly code = 'FAKTORY_ERR_PROTOCOL' as const;
}

/** The `HI`/`HELLO`/`OK` handshake failed (bad greeting, unsupported protocol version, no `OK`). */
export class HandshakeError extends FaktoryError {
  readonly code: 'FAKTORY_ERR_HANDSHAKE' | 'FAKTORY_ERR_AUTH' = 'FAKTORY_ERR_HANDSHAKE';
}

/** The server wants a password and none was given, or it refused the one given. Never retried. */
export class AuthenticationError extends HandshakeError {
  override readonly code = 'FAKTORY_ERR_AUTH' as const;
}

/** Options of a {@link ServerError}. */
export interface ServerErrorOptions extends FaktoryErrorOptions {
  /** The code word of the reply, e.g. `ERR` or `NOTUNIQUE`; `null` when the reply had none. */
  readonly serverCode: string | null;
}

/**
 * The server answered a command with a RESP error (`-CODE message`). The code word and the
 * message are kept apart: `serverCode` is `ERR`, `NOTUNIQUE`, ... and `serverMessage` the rest.
 */
export class ServerError extends FaktoryError {
  readonly code = 'FAKTORY_ERR_SERVER' as const;
  /** The reply's code word (`ERR`, `NOTUNIQUE`, ...), or `null` when it had none. */
  readonly serverCode: string | null;
  /** The reply's text after the code word. */
  readonly serverMessage: string;

  constructor(serverMessage: string, options: ServerErrorOptions) {
    const prefix = options.verb === undefined ? '' : `${options.verb}: `;
    const code = options.serverCode === null ? '' : `${options.serverCode} `;
    super(`${prefix}${code}${serverMessage}`, options);
    this.serverCode = options.serverCode;
    this.serverMessage = serverMessage;
  }
}

/** Options of a {@link TimeoutError}. */
export interface TimeoutErrorOptions extends FaktoryErrorOptions {
  /** The limit that was exceeded, in milliseconds. */
  readonly timeoutMs: number;
}

/** An operation did not finish within its limit. */
export class TimeoutError extends FaktoryError {
  readonly code = 'FAKTORY_ERR_TIMEOUT' as const;
  override readonly retriable = true;
  /** The limit that was exceeded, in milliseconds. */
  readonly timeoutMs: number;

  constructor(message: string, options: TimeoutErrorOptions) {
    super(message, options);
    this.timeoutMs = options.timeoutMs;
  }
}

/** The connection, pool, client or worker was closed, so the operation cannot run. */
export class ClosedError extends FaktoryError {
  readonly code = 'FAKTORY_ERR_CLOSED' as const;
}

/** Options of an {@link InvalidJobError}. */
export interface InvalidJobErrorOptions extends FaktoryErrorOptions {
  /** The offending field, e.g. `queue` or `args[2]`. */
  readonly field: string;
}

/** A job breaks a rule the server enforces (or would enforce too late). Nothing was sent. */
export class InvalidJobError extends FaktoryError {
  readonly code = 'FAKTORY_ERR_INVALID_JOB' as const;
  /** The offending field, e.g. `queue` or `args[2]`. */
  readonly field: string;

  constructor(message: string, options: InvalidJobErrorOptions) {
    super(`invalid job field '${options.field}': ${message}`, options);
    this.field = options.field;
  }
}

/** Options of an {@link InvalidArgumentError}. */
export interface InvalidArgumentErrorOptions extends FaktoryErrorOptions {
  /** The offending option or argument, e.g. `concurrency` or `queue`. */
  readonly argument: string;
}

/** An option or argument is not acceptable. Raised before anything is sent. */
export class InvalidArgumentError extends FaktoryError {
  readonly code = 'FAKTORY_ERR_INVALID_ARGUMENT' as const;
  /** The offending option or argument. */
  readonly argument: string;

  constructor(message: string, options: InvalidArgumentErrorOptions) {
    super(`invalid ${options.argument}: ${message}`, options);
    this.argument = options.argument;
  }
}

/** Whether `error` is a faktory-rx error that may succeed when retried (lost connection, timeout). */
export function isRetriable(error: unknown): boolean {
  return error instanceof FaktoryError && error.retriable;
}

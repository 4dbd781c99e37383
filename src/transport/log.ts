import createDebug from 'debug';

/**
 * `debug` loggers of the transport layer. Enable with `DEBUG=faktory-rx:transport:*`. They log
 * addresses as redacted URLs, verbs and timings; never a password, a `pwdhash` or job args.
 */
export const log = Object.freeze({
  /** Sockets opening and closing. */
  connection: createDebug('faktory-rx:transport:connection'),
  /** HI/HELLO/OK. */
  handshake: createDebug('faktory-rx:transport:handshake'),
  /** Command verbs and their round-trip times. */
  command: createDebug('faktory-rx:transport:command'),
  /** Pool sizing, reconnect attempts and backoff. */
  pool: createDebug('faktory-rx:transport:pool'),
});

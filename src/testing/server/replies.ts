import { ServerError } from '../../errors.js';

/** `+OK\r\n` */
export const OK = '+OK\r\n';
/** The null bulk string, `$-1\r\n`. */
export const NULL_BULK = '$-1\r\n';

/** A bulk string reply; the length counts UTF-8 bytes. */
export function bulk(text: string): string {
  return `$${Buffer.byteLength(text, 'utf8')}\r\n${text}\r\n`;
}

/**
 * An error reply, `-CODE message\r\n`. A CR inside the message is sent as it is, as the real
 * server echoes it (`unknown command FLUSH\rX`); an LF, which would end the frame, becomes a space.
 */
export function errorReply(message: string, code = 'ERR'): string {
  return `-${code} ${message.includes('\n') ? message.replace(/\n/g, ' ') : message}\r\n`;
}

/** Aborts a command with an error reply: throws a {@link ServerError} the dispatcher answers with. */
export function reject(message: string, code = 'ERR'): never {
  throw new ServerError(message, { serverCode: code });
}

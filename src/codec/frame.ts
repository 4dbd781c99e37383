/**
 * A RESP2 reply as Faktory sends it. Faktory uses four forms only: simple strings (`+OK`),
 * bulk strings (`$5\r\nhello`), the null bulk string (`$-1`) and errors (`-ERR message`).
 * An error is data here, not a thrown error: it belongs to the request that caused it.
 */
export type Frame = SimpleStringFrame | BulkStringFrame | NullFrame | ErrorFrame;

/** `+text\r\n` */
export interface SimpleStringFrame {
  readonly type: 'simple';
  readonly value: string;
}

/** `$<bytes>\r\n<bytes>\r\n` */
export interface BulkStringFrame {
  readonly type: 'bulk';
  readonly value: string;
}

/** `$-1\r\n` */
export interface NullFrame {
  readonly type: 'null';
}

/**
 * `-CODE message\r\n`. `code` is the leading upper-case code word (`ERR`, `NOTUNIQUE`), or
 * `null` when the line has none; `message` is the rest.
 */
export interface ErrorFrame {
  readonly type: 'error';
  readonly code: string | null;
  readonly message: string;
}

const CODE_WORD = /^[A-Z][A-Z0-9_]*$/;

/**
 * Splits the text of a RESP error line into its code word and message: `'ERR bad jid'` gives
 * code `ERR` and message `bad jid`. The code word is the text before the first space when it is
 * upper case (letters, digits, `_`, starting with a letter); otherwise the code is `null` and
 * the message is the whole text.
 */
export function parseErrorText(text: string): ErrorFrame {
  const space = text.indexOf(' ');
  const word = space === -1 ? text : text.slice(0, space);
  if (!CODE_WORD.test(word)) return { type: 'error', code: null, message: text };
  return { type: 'error', code: word, message: space === -1 ? '' : text.slice(space + 1) };
}

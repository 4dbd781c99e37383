import { InvalidArgumentError } from '../errors.js';

/**
 * An argument of a command: a bare word (a queue name, a jid, a sub-command such as `PAUSE`),
 * a number, or a value serialised as compact JSON (a job, an ACK payload, a list of jobs).
 */
export type CommandArg = string | number | JsonArg;

/** Anything that is serialised with `JSON.stringify`: plain objects and arrays. */
export type JsonArg = object;

const WORD_BREAKER = /[\s]/u;

/**
 * Encodes one Faktory command line, `VERB arg arg\r\n`, as UTF-8 bytes.
 *
 * Strings are written as bare words and must be non-empty with no white space (no space, tab,
 * CR or LF), since the server splits on spaces and lines end at CR/LF. Numbers are written in
 * decimal. Objects and arrays are serialised once as compact JSON (JSON never contains a raw
 * CR or LF). Anything else, or a value JSON cannot hold (a cycle, a BigInt), is refused with
 * {@link InvalidArgumentError} before a single byte is produced.
 *
 * @example
 * encodeCommand('PUSH', { jid: '123456789', jobtype: 'Email', args: [] })
 * // <Buffer 50 55 53 48 20 7b ...> 'PUSH {"jid":"123456789","jobtype":"Email","args":[]}\r\n'
 * encodeCommand('FETCH', 'critical', 'default') // 'FETCH critical default\r\n'
 */
export function encodeCommand(verb: string, ...args: readonly CommandArg[]): Buffer {
  return Buffer.from(formatCommand(verb, ...args) + '\r\n', 'utf8');
}

/** The command line of {@link encodeCommand} without its `\r\n`, as text. */
export function formatCommand(verb: string, ...args: readonly CommandArg[]): string {
  assertWord(verb, 'verb');
  let line = verb;
  for (const [index, arg] of args.entries()) line += ' ' + formatArg(arg, verb, index);
  return line;
}

function formatArg(arg: unknown, verb: string, index: number): string {
  const name = `argument ${index + 1} of ${verb}`;
  if (typeof arg === 'string') {
    assertWord(arg, name, verb);
    return arg;
  }
  if (typeof arg === 'number') {
    if (!Number.isFinite(arg)) {
      throw new InvalidArgumentError(`${String(arg)} is not a finite number`, { argument: name, verb });
    }
    return String(arg);
  }
  if (typeof arg === 'object' && arg !== null) return toJson(arg, name, verb);
  // Reachable from JavaScript callers, whom the types do not bind.
  throw new InvalidArgumentError(`a ${arg === null ? 'null' : typeof arg} cannot be sent`, { argument: name, verb });
}

function toJson(value: object, name: string, verb: string): string {
  let json: unknown;
  try {
    json = JSON.stringify(value);
  } catch (cause) {
    throw new InvalidArgumentError('cannot be serialised as JSON', { argument: name, verb, cause });
  }
  // JSON.stringify gives undefined for some values (e.g. an object whose toJSON returns undefined).
  if (typeof json !== 'string') throw new InvalidArgumentError('cannot be serialised as JSON', { argument: name, verb });
  return json;
}

function assertWord(word: string, name: string, verb?: string): void {
  const context = { argument: name, ...(verb === undefined ? {} : { verb }) };
  if (word.length === 0) throw new InvalidArgumentError('must not be empty', context);
  if (WORD_BREAKER.test(word)) {
    throw new InvalidArgumentError(`must not contain white space, CR or LF (got ${JSON.stringify(word)})`, context);
  }
}

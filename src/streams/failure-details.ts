/** What `FAIL` reports of an error. */
export interface FailureDetails {
  /** The error's `name` (`Error` for thrown non-Error values). Trimmed to 100 characters. */
  readonly errtype: string;
  /** The error's message. Trimmed to 1000 characters. */
  readonly message: string;
  /** Stack frames, then `Caused by: ...` and the cause's frames, down the cause chain. */
  readonly backtrace: readonly string[];
}

/** How deep `describeFailure` follows a `cause` chain. */
const MAX_CAUSES = 10;

/**
 * Turns anything thrown into what `FAIL` sends: `errtype` from the error's `name`, its message,
 * and a backtrace of at most `maxLines` lines made of the stack frames followed, for each error
 * of its `cause` chain, by a `Caused by: Name: message` line and that error's frames.
 * Non-Error values are wrapped: a thrown string `'boom'` gives errtype `Error` and message
 * `boom`; an error-like object gives its `name` and `message`; other values are described with
 * `String()` or JSON. The server trims errtype to 100
 * characters and the message to 1000; so does this function, to keep payloads bounded.
 *
 * @internal
 */
export function describeFailure(error: unknown, maxLines: number): FailureDetails {
  const first = normalise(error);
  const lines: string[] = [];
  let current: Normalised | undefined = first;
  const seen = new Set<unknown>();
  for (let depth = 0; current !== undefined && depth <= MAX_CAUSES && lines.length < maxLines; depth++) {
    if (depth > 0) lines.push(`Caused by: ${current.errtype}: ${current.message}`);
    lines.push(...current.frames);
    seen.add(current.source);
    current = current.cause === undefined || seen.has(current.cause) ? undefined : normalise(current.cause);
  }
  return {
    errtype: first.errtype.slice(0, 100),
    message: first.message.slice(0, 1000),
    backtrace: lines.slice(0, Math.max(0, maxLines)),
  };
}

interface Normalised {
  readonly source: unknown;
  readonly errtype: string;
  readonly message: string;
  readonly frames: readonly string[];
  readonly cause: unknown;
}

function normalise(error: unknown): Normalised {
  if (error instanceof Error) {
    return {
      source: error,
      errtype: error.name === '' ? 'Error' : error.name,
      message: error.message,
      frames: frames(error.stack),
      cause: error.cause,
    };
  }
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  const errtype = typeof name === 'string' && name !== '' ? name : 'Error';
  return { source: error, errtype, message: text(error), frames: [], cause: undefined };
}

function frames(stack: string | undefined): readonly string[] {
  if (stack === undefined) return [];
  return stack
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('at '));
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const message = (value as { message?: unknown }).message;
    if (typeof message === 'string') return message;
    try {
      return JSON.stringify(value);
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
  return String(value);
}

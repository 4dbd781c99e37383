import { ClosedError, InvalidJobError, TimeoutError } from '../errors.js';

/**
 * A job ran longer than its timeout; it was aborted and FAILed with errtype `JobTimeout` before
 * its reservation expired.
 */
export class JobTimeoutError extends TimeoutError {
  constructor(jid: string, timeoutMs: number) {
    super(`job ${jid} exceeded its timeout of ${timeoutMs} ms`, { jid, timeoutMs });
    this.name = 'JobTimeout';
  }
}

/**
 * The worker shut down (shutdown timeout, forced stop) before the job finished; it was aborted
 * and FAILed with errtype `WorkerShutdown` so the server retries it at once.
 */
export class WorkerShutdownError extends ClosedError {
  constructor(jid: string | undefined, message: string) {
    super(message, jid === undefined ? {} : { jid });
    this.name = 'WorkerShutdown';
  }
}

/**
 * No handler is registered for the job's jobtype; the job is FAILed with errtype
 * `UnknownJobType` and a message naming the jobtype and the jobtypes the worker handles.
 */
export class UnknownJobTypeError extends InvalidJobError {
  constructor(jid: string, jobtype: string, known: readonly string[] = []) {
    super('', { jid, field: 'jobtype' });
    this.name = 'UnknownJobType';
    const handles = known.length === 0 ? '' : ` (this worker handles ${known.map((k) => `'${k}'`).join(', ')})`;
    this.message = `no handler is registered for jobtype '${jobtype}'${handles}`;
    // The stack's first line was written with the generic message.
    if (this.stack !== undefined) this.stack = this.stack.replace(/^.*\n?/, `${this.name}: ${this.message}\n`);
  }
}

/**
 * Thrown (or rejected, or errored) by a handler to say the job can never succeed: the worker
 * FAILs it with this error's message and then moves it from the retries set to the dead set
 * (`MUTATE kill` by jid), instead of letting Faktory retry it up to 25 times over three weeks.
 * Give it the error's `name` of your choice with `{ errtype }`; the job keeps its message and
 * backtrace in the dead set, where it can be requeued by hand.
 *
 * @example
 * SendEmail: async ([to]) => {
 *   if (!isEmail(to)) throw new UnrecoverableError(`not an address: ${to}`);
 *   await send(to);
 * }
 */
export class UnrecoverableError extends Error {
  constructor(message: string, options: { readonly cause?: unknown; readonly errtype?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = options.errtype ?? 'UnrecoverableError';
  }
}

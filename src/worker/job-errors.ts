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

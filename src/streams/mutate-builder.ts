import type { Observable } from 'rxjs';
import { InvalidArgumentError } from '../errors.js';
import { show } from './show-value.js';
import { assertWord } from './command-sender.js';

/** A set `MUTATE` works on. Queues are not a target: use `queues.remove`. */
export type MutateTarget = 'retries' | 'scheduled' | 'dead';

/** What `MUTATE` does to the matching jobs. */
export type MutateCommand = 'kill' | 'discard' | 'requeue' | 'clear';

/** The filter of a `MUTATE` command, as sent. */
export interface MutateFilter {
  readonly jobtype?: string;
  readonly jids?: readonly string[];
  /** A Redis SCAN pattern over the job's JSON, e.g. `*foo*`. */
  readonly regexp?: string;
}

/** The payload of a `MUTATE` command. */
export interface MutateOperation {
  readonly cmd: MutateCommand;
  readonly target: MutateTarget;
  readonly filter?: MutateFilter;
}

const TARGETS: readonly string[] = ['retries', 'scheduled', 'dead'];

/**
 * An immutable `MUTATE` builder over one set: add filters, then pick the command, which returns
 * a cold Observable that sends it (emits `undefined` on `+OK`). With `jids` the server ignores
 * the other filters; `clear` empties the whole set and ignores the filter.
 *
 * Filter values are refused with {@link InvalidArgumentError} when they contain white space:
 * the server splits the command line on spaces and cannot parse them.
 *
 * @example
 * client.mutate('retries').jobtype('SendEmail').matching('*acme*').requeue();
 */
export class MutateBuilder {
  readonly #target: MutateTarget;
  readonly #filter: MutateFilter;
  readonly #send: (operation: MutateOperation) => Observable<void>;

  /** Use `client.mutate(target)`. @internal */
  constructor(target: MutateTarget, send: (operation: MutateOperation) => Observable<void>, filter: MutateFilter = {}) {
    if (!TARGETS.includes(target)) {
      throw new InvalidArgumentError(`must be one of ${TARGETS.join(', ')} (got ${show(target)})`, { argument: 'target', verb: 'MUTATE' });
    }
    this.#target = target;
    this.#send = send;
    this.#filter = filter;
  }

  /** Only jobs of this jobtype. */
  jobtype(jobtype: string): MutateBuilder {
    return new MutateBuilder(this.#target, this.#send, { ...this.#filter, jobtype: word(jobtype, 'filter.jobtype') });
  }

  /** Only these jobs (the server then ignores the other filters). */
  jids(...jids: readonly string[]): MutateBuilder {
    if (jids.length === 0) throw new InvalidArgumentError('needs at least one jid', { argument: 'filter.jids', verb: 'MUTATE' });
    const all = [...(this.#filter.jids ?? []), ...jids.map((jid, i) => word(jid, `filter.jids[${i}]`))];
    return new MutateBuilder(this.#target, this.#send, { ...this.#filter, jids: all });
  }

  /** Only jobs whose JSON matches this Redis SCAN pattern, e.g. `*foo*`. */
  matching(pattern: string): MutateBuilder {
    return new MutateBuilder(this.#target, this.#send, { ...this.#filter, regexp: word(pattern, 'filter.regexp') });
  }

  /** The operation a command would send, for inspection. */
  operation(cmd: MutateCommand): MutateOperation {
    const hasFilter = Object.keys(this.#filter).length > 0;
    return { cmd, target: this.#target, ...(hasFilter && cmd !== 'clear' ? { filter: this.#filter } : {}) };
  }

  /** Moves the matching jobs to the dead set. */
  kill(): Observable<void> {
    return this.#send(this.operation('kill'));
  }

  /** Deletes the matching jobs. */
  discard(): Observable<void> {
    return this.#send(this.operation('discard'));
  }

  /** Puts the matching jobs back on their queues. */
  requeue(): Observable<void> {
    return this.#send(this.operation('requeue'));
  }

  /** Empties the whole set (filters are ignored). */
  clear(): Observable<void> {
    return this.#send(this.operation('clear'));
  }
}

function word(text: string, argument: string): string {
  assertWord(text, argument, 'MUTATE');
  return text;
}

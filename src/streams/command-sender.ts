import type { Observable } from 'rxjs';
import type { CommandArg } from '../codec/index.js';
import type { Reply, RequestOptions } from '../transport/types.js';
import { InvalidArgumentError } from '../errors.js';
import { show } from './show-value.js';
import { JOB_RULES } from './validate-job.js';

/** Sends one command when subscribed: the client's pool, refusing work once closed. @internal */
export type CommandSender = (verb: string, args: readonly CommandArg[], options?: RequestOptions) => Observable<Reply>;

/** Throws unless `names` is a non-empty list of valid queue names (or `*` when allowed). @internal */
export function assertQueueNames(names: readonly string[], verb: string, allowWildcard: boolean): void {
  if (names.length === 0) throw new InvalidArgumentError('needs at least one queue name', { argument: 'queues', verb });
  for (const [i, name] of (names as readonly unknown[]).entries()) {
    if (allowWildcard && name === '*') continue;
    if (typeof name !== 'string' || !JOB_RULES.queuePattern.test(name)) {
      const hint = name === '*' ? ' (the wildcard * is not supported here)' : '';
      throw new InvalidArgumentError(`must match ${String(JOB_RULES.queuePattern)}${hint} (got ${show(name)})`, {
        argument: `queues[${i}]`,
        verb,
      });
    }
  }
}

/** Throws unless `value` is a non-empty string without white space (a jid, a bid). @internal */
export function assertWord(value: unknown, argument: string, verb: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || /\s/.test(value)) {
    throw new InvalidArgumentError(`must be a non-empty string without white space (got ${show(value)})`, {
      argument,
      verb,
    });
  }
}

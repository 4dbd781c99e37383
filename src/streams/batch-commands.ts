import { concat, concatMap, defer, forkJoin, from, ignoreElements, isObservable, map, of, type Observable, type ObservableInput } from 'rxjs';
import { InvalidArgumentError } from '../errors.js';
import { assertWord, type CommandSender } from './command-sender.js';
import type { JobInput } from './job-builder.js';
import type { Reply } from '../transport/types.js';
import { expectObject, expectText, ok } from './replies.js';
import type { BatchStatus } from './server-info.js';
import type { AnyJobs, JobPayload, JobTypes } from './types.js';

/** Options of Enterprise `BATCH NEW`. At least one callback is required. */
export interface BatchOptions<Jobs extends JobTypes = AnyJobs> {
  /** Shown in the Web UI. */
  readonly description?: string;
  /** Makes this batch a child of another. */
  readonly parentBid?: string;
  /** Pushed when every job of the batch succeeded. */
  readonly success?: JobInput<Jobs>;
  /** Pushed when every job of the batch ran, successful or not. */
  readonly complete?: JobInput<Jobs>;
}

/**
 * Enterprise batches. Jobs join a batch with `custom.bid` (`job(...).custom({ bid })`);
 * callbacks cannot fire before `commit`. Each method returns a cold Observable. An open-source
 * server answers every `BATCH` command with a `ServerError`.
 */
export interface BatchCommands<Jobs extends JobTypes = AnyJobs> {
  /** `BATCH NEW`: the new batch id. Callback jobs go through push middleware and validation. */
  'new'(options: BatchOptions<Jobs>): Observable<string>;
  /** `BATCH OPEN`: reopens a committed batch to add jobs; emits its bid. */
  open(bid: string): Observable<string>;
  /** `BATCH COMMIT`: the batch is complete; callbacks may now fire. */
  commit(bid: string): Observable<void>;
  /** `BATCH STATUS`. */
  status(bid: string): Observable<BatchStatus>;
  /**
   * Creates a batch, runs `work(bid)` (which pushes the batch's jobs; it may return nothing, a
   * Promise or an Observable, which is run to completion), then commits. Emits the bid after
   * the commit. If `work` fails, the batch is not committed and the error is passed on.
   *
   * @example
   * client.batch.run({ success: job('Done') }, (bid) =>
   *   client.pushBulk(urls.map((u) => job('Fetch', u).custom({ bid }))));
   */
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- work may be a function that returns nothing
  run(options: BatchOptions<Jobs>, work: (bid: string) => ObservableInput<unknown> | void): Observable<string>;
}

/** @internal */
export function batchCommands<Jobs extends JobTypes>(
  send: CommandSender,
  prepare: (job: JobInput<Jobs>) => Observable<JobPayload<string, readonly unknown[]>>,
): BatchCommands<Jobs> {
  const create = (options: BatchOptions<Jobs>): Observable<string> =>
    defer(() => {
      if (options.success === undefined && options.complete === undefined) {
        throw new InvalidArgumentError('a batch needs a success or a complete callback job', { argument: 'options', verb: 'BATCH' });
      }
      if (options.parentBid !== undefined) assertWord(options.parentBid, 'parentBid', 'BATCH');
      const callback = (input: JobInput<Jobs> | undefined): Observable<JobPayload<string, readonly unknown[]> | undefined> =>
        input === undefined ? of(undefined) : prepare(input);
      return forkJoin([callback(options.success), callback(options.complete)]).pipe(
        concatMap(([success, complete]) => {
          const payload = {
            ...(options.description === undefined ? {} : { description: options.description }),
            ...(options.parentBid === undefined ? {} : { parent_bid: options.parentBid }),
            ...(success === undefined ? {} : { success }),
            ...(complete === undefined ? {} : { complete }),
          };
          return send('BATCH', ['NEW', payload]);
        }),
        map((reply) => expectText(reply, 'BATCH')),
      );
    });
  const withBid = (sub: string, bid: string): Observable<Reply> =>
    defer(() => {
      assertWord(bid, 'bid', `BATCH ${sub}`);
      return send('BATCH', [sub, bid]);
    });
  const commit = (bid: string): Observable<void> => withBid('COMMIT', bid).pipe(ok('BATCH'));
  return {
    new: create,
    open: (bid) => withBid('OPEN', bid).pipe(map((reply) => expectText(reply, 'BATCH'))),
    commit,
    status: (bid) => withBid('STATUS', bid).pipe(map((reply) => expectObject(reply, 'BATCH') as unknown as BatchStatus)),
    run: (options, work) =>
      create(options).pipe(
        concatMap((bid) => {
          const run = defer(() => {
            const result: unknown = work(bid);
            if (result === undefined) return of(undefined);
            return isObservable(result) ? result : from(result as ObservableInput<unknown>);
          });
          return concat(run.pipe(ignoreElements()), commit(bid)).pipe(map(() => bid));
        }),
      ),
  };
}

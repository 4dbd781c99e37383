import { catchError, concat, concatMap, defer, from, ignoreElements, map, Observable, of, throwError, toArray } from 'rxjs';
import { formatCommand, type CommandArg } from '../codec/index.js';
import { ClosedError, InvalidArgumentError, InvalidJobError, ProtocolError } from '../errors.js';
import { assertKnownOptions } from '../transport/option-checks.js';
import { CONNECTION_OPTION_HINTS } from '../transport/config.js';
import { POOL_OPTION_KEYS } from '../transport/pool.js';
import type { PoolEvent, PoolLike, Reply, RequestOptions, WorkerIdentity } from '../transport/types.js';
import { batchCommands, type BatchCommands } from './batch-commands.js';
import { assertQueueNames, assertWord, type CommandSender } from './command-sender.js';
import type { ClientOptions, FaktoryClient } from './faktory-client.js';
import { describeFailure } from './failure-details.js';
import { isJobSource, JobBuilder, type JobInput } from './job-builder.js';
import { MutateBuilder, type MutateOperation, type MutateTarget } from './mutate-builder.js';
import { createDefaultPool } from './pool-factory.js';
import { jobDefaults } from './job-definitions.js';
import { applyMiddleware, type PushMiddleware } from './push-middleware.js';
import { queueCommands, type QueueCommands } from './queue-commands.js';
import { expectObject, expectOk, ok } from './replies.js';
import { show } from './show-value.js';
import type { ServerInfo } from './server-info.js';
import { trackCommands, type TrackCommands } from './track-commands.js';
import type { AnyJobs, BeatOptions, BeatReply, FailOptions, JobOf, JobPayload, JobTypes, RejectedJob } from './types.js';
import { inBulk, validateJob } from './validate-job.js';

/** Defaults of the client's command options. */
export const CLIENT_DEFAULTS = Object.freeze({
  /** Backtrace lines `fail` sends when not told otherwise. */
  backtrace: 30,
  middleware: Object.freeze<PushMiddleware[]>([]),
});

type Payload = JobPayload<string, readonly unknown[]>;

/** @internal Every key of `ClientOptions` (the compiler checks that none is missing). */
export const CLIENT_OPTION_KEYS: Readonly<Record<keyof ClientOptions, true>> = Object.freeze({ ...POOL_OPTION_KEYS, pool: true, middleware: true, jobs: true });

/** Verbs whose payload-less form crashes servers up to 1.9.4. */
const NEEDS_PAYLOAD = new Set(['PUSH', 'PUSHB', 'ACK', 'FAIL', 'BEAT']);

/**
 * Creates a Faktory client over a transport pool (created from `options`, or `options.pool`).
 * Nothing connects until the first command is subscribed. Pass a job map to type every push:
 *
 * @example
 * type Jobs = { SendEmail: [to: string, templateId: number] };
 * const client = createClient<Jobs>({ url: 'tcp://localhost:7419' });
 * const jid = await firstValueFrom(client.push(job('SendEmail', 'a@b.c', 7)));
 * await firstValueFrom(client.close());
 */
export function createClient<Jobs extends JobTypes = AnyJobs>(options: ClientOptions = {}): FaktoryClient<Jobs> {
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new InvalidArgumentError('must be an object', { argument: 'options' });
  }
  assertKnownOptions(options, CLIENT_OPTION_KEYS, { owner: 'createClient', hints: CONNECTION_OPTION_HINTS });
  const { pool, middleware, jobs, ...poolOptions } = options;
  const middlewares = middleware ?? CLIENT_DEFAULTS.middleware;
  if (!Array.isArray(middlewares) || middlewares.some((mw) => typeof mw !== 'function')) {
    throw new InvalidArgumentError('must be an array of functions', { argument: 'middleware' });
  }
  const chain: readonly PushMiddleware[] = jobs === undefined ? middlewares : [jobDefaults(jobs), ...(middlewares as readonly PushMiddleware[])];
  return new Client<Jobs>(pool ?? createDefaultPool(poolOptions), chain, options.worker);
}

class Client<Jobs extends JobTypes> implements FaktoryClient<Jobs> {
  readonly #pool: PoolLike;
  readonly #middleware: readonly PushMiddleware[];
  readonly #worker: WorkerIdentity | undefined;
  /** The URL's queue name prefix: on the wire only, so callers see the queue names they gave. */
  readonly #namespace: string;
  #closed = false;
  readonly events$: Observable<PoolEvent>;
  readonly queues: QueueCommands;
  readonly batch: BatchCommands<Jobs>;
  readonly track: TrackCommands;
  readonly prepareSync: ((input: JobInput<Jobs>) => JobOf<Jobs>) | undefined;

  constructor(pool: PoolLike, middleware: readonly PushMiddleware[], worker: WorkerIdentity | undefined) {
    this.#pool = pool;
    this.#middleware = middleware;
    this.#worker = worker;
    this.#namespace = pool.namespace ?? '';
    this.events$ = pool.events$;
    const send = this.#send;
    this.queues = queueCommands(send, this.#namespace);
    this.batch = batchCommands<Jobs>(send, (input) => this.prepare(input).pipe(map((job) => this.#onWire(job))));
    this.track = trackCommands(send);
    this.prepareSync = middleware.length === 0 ? (input) => validateJob(toPayload(input)) as JobOf<Jobs> : undefined;
  }

  /** The job as sent: its queue in the namespace. */
  readonly #onWire = <Job extends Payload>(job: Job): Job =>
    this.#namespace === '' ? job : { ...job, queue: `${this.#namespace}${job.queue ?? 'default'}` };

  readonly #send: CommandSender = (verb, args, options) =>
    defer(() => (this.#closed ? throwError(() => new ClosedError('the client is closed', { verb })) : this.#pool.request(verb, args, options)));

  /**
   * The hot path of the worker's commands (FETCH, ACK, FAIL) and of PUSH: one Observable that
   * checks, sends and reads the reply, without operators. `prepare` runs on subscription and may
   * throw; `read` gets the reply and the arguments `prepare` gave for this subscription.
   */
  #command<T>(verb: string, prepare: () => readonly CommandArg[], read: (reply: Reply, args: readonly CommandArg[]) => T, options?: RequestOptions): Observable<T> {
    return new Observable<T>((subscriber) => {
      const args = prepare();
      if (this.#closed) throw new ClosedError('the client is closed', { verb });
      return this.#pool.request(verb, args, options).subscribe({
        next: (reply) => {
          let value: T;
          try {
            value = read(reply, args);
          } catch (error) {
            subscriber.error(error);
            return;
          }
          subscriber.next(value);
        },
        error: (error: unknown) => {
          subscriber.error(error);
        },
        complete: () => {
          subscriber.complete();
        },
      });
    });
  }

  job<Type extends keyof Jobs & string>(jobtype: Type, ...args: Jobs[Type]): JobBuilder<Type, Jobs[Type]> {
    return new JobBuilder(jobtype, args);
  }

  prepare(input: JobInput<Jobs>): Observable<JobOf<Jobs>> {
    return defer(() => {
      const payload = toPayload(input);
      if (this.#middleware.length === 0) return of(validateJob(payload) as JobOf<Jobs>);
      return applyMiddleware(payload, this.#middleware).pipe(map((job) => validateJob(job) as JobOf<Jobs>));
    });
  }

  push(input: JobInput<Jobs>): Observable<string> {
    // Without middleware the job is built and checked on subscription: one Observable per push.
    const prepareSync = this.prepareSync;
    if (prepareSync !== undefined) return this.#command('PUSH', () => [this.#onWire(prepareSync(input))], readPushed);
    return this.prepare(input).pipe(concatMap((job) => this.#send('PUSH', [this.#onWire(job)]).pipe(map((reply) => readPushed(reply, [job])))));
  }

  pushBulk(inputs: readonly JobInput<Jobs>[]): Observable<readonly RejectedJob<JobOf<Jobs>>[]> {
    return defer(() => {
      const list: unknown = inputs;
      if (!Array.isArray(list)) throw new InvalidArgumentError('must be an array of jobs', { argument: 'jobs', verb: 'PUSHB' });
      if (inputs.length === 0) return of([]);
      const prepareSync = this.prepareSync;
      const jobs$ =
        prepareSync === undefined
          ? from(inputs).pipe(
              concatMap((input, i) =>
                this.prepare(input).pipe(
                  catchError((error: unknown) => {
                    throw inBulk(error, i);
                  }),
                ),
              ),
              toArray(),
            )
          : of(
              inputs.map((input, i) => {
                try {
                  return prepareSync(input);
                } catch (error) {
                  throw inBulk(error, i);
                }
              }),
            );
      return jobs$.pipe(
        concatMap((jobs) =>
          this.sendBulk(jobs).pipe(
            map((reasons) => jobs.filter((job) => Object.hasOwn(reasons, job.jid)).map((job) => ({ job, reason: reasons[job.jid] ?? '' }))),
          ),
        ),
      );
    });
  }

  sendBulk(jobs: readonly Payload[]): Observable<Readonly<Record<string, string>>> {
    return this.#send('PUSHB', [this.#namespace === '' ? jobs : jobs.map(this.#onWire)], SPREAD_OPTIONS).pipe(
      map((reply) => {
        const reasons = expectObject(reply, 'PUSHB');
        for (const reason of Object.values(reasons)) {
          if (typeof reason !== 'string') throw new ProtocolError('PUSHB replied with a non-string reason', { verb: 'PUSHB' });
        }
        return reasons as Record<string, string>;
      }),
    );
  }

  fetch(...queues: readonly string[]): Observable<JobOf<Jobs> | null> {
    return this.#command(
      'FETCH',
      () => {
        assertQueueNames(queues, 'FETCH', false);
        return this.#namespace === '' ? queues : queues.map((queue) => `${this.#namespace}${queue}`);
      },
      (reply) => (reply.type === 'null' ? null : (this.#fromWire(expectObject(reply, 'FETCH')) as unknown as JobOf<Jobs>)),
      FETCH_OPTIONS,
    );
  }

  /** A fetched job as the caller pushed it: its queue without the namespace. */
  #fromWire(job: Record<string, unknown>): Record<string, unknown> {
    const queue = job['queue'];
    if (this.#namespace !== '' && typeof queue === 'string' && queue.startsWith(this.#namespace)) job['queue'] = queue.slice(this.#namespace.length);
    return job;
  }

  ack(jid: string): Observable<void> {
    return this.#command(
      'ACK',
      () => {
        assertWord(jid, 'jid', 'ACK');
        return [{ jid }];
      },
      readOkAck,
    );
  }

  fail(jid: string, error: unknown, options: FailOptions = {}): Observable<void> {
    return this.#command(
      'FAIL',
      () => {
        assertWord(jid, 'jid', 'FAIL');
        const lines = options.backtrace ?? CLIENT_DEFAULTS.backtrace;
        if (!Number.isInteger(lines) || lines < 0) {
          throw new InvalidArgumentError(`must be an integer >= 0 (got ${String(lines)})`, { argument: 'backtrace', verb: 'FAIL', jid });
        }
        const { errtype, message, backtrace } = describeFailure(error, lines);
        return [{ jid, errtype, message, backtrace }];
      },
      readOkFail,
    );
  }

  beat(options: BeatOptions = {}): Observable<BeatReply> {
    return defer(() => {
      const wid = this.#worker?.wid;
      if (wid === undefined) {
        throw new InvalidArgumentError('BEAT needs a worker identity: create the client with options.worker', { argument: 'worker', verb: 'BEAT' });
      }
      const { currentState, rssKb } = options;
      const state: unknown = currentState;
      if (state !== undefined && state !== 'quiet' && state !== 'terminate') {
        throw new InvalidArgumentError(`must be 'quiet' or 'terminate' (got ${show(state)})`, { argument: 'currentState', verb: 'BEAT' });
      }
      if (rssKb !== undefined && (!Number.isInteger(rssKb) || rssKb < 0)) {
        throw new InvalidArgumentError(`must be an integer >= 0 (got ${String(rssKb)})`, { argument: 'rssKb', verb: 'BEAT' });
      }
      const payload = {
        wid,
        ...(currentState === undefined ? {} : { current_state: currentState }),
        ...(rssKb === undefined ? {} : { rss_kb: rssKb }),
      };
      return this.#send('BEAT', [payload]).pipe(map(readBeat));
    });
  }

  info(): Observable<ServerInfo> {
    return this.#send('INFO', []).pipe(map((reply) => expectObject(reply, 'INFO') as unknown as ServerInfo));
  }

  flush(): Observable<void> {
    return this.#send('FLUSH', []).pipe(ok('FLUSH'));
  }

  mutate(target: MutateTarget): MutateBuilder {
    return new MutateBuilder(target, (operation: MutateOperation) =>
      this.#send('MUTATE', [operation]).pipe(ok('MUTATE')),
    );
  }

  raw(verb: string, ...args: readonly CommandArg[]): Observable<Reply> {
    return defer(() => {
      const word: unknown = verb;
      if (typeof word !== 'string' || !/^[A-Z]+$/.test(word)) {
        throw new InvalidArgumentError(`must be an upper-case word (got ${show(word)})`, { argument: 'verb' });
      }
      if (verb === 'END') throw new InvalidArgumentError('END gets no reply; use close()', { argument: 'verb', verb });
      if (NEEDS_PAYLOAD.has(verb) && args.length === 0) {
        throw new InvalidArgumentError(`${verb} needs a payload (its bare form crashes older servers)`, { argument: 'args', verb });
      }
      if (verb === 'QUEUE' && args.length < 2) {
        throw new InvalidArgumentError('QUEUE needs a sub-command and queue names', { argument: 'args', verb });
      }
      formatCommand(verb, ...args); // throws InvalidArgumentError for what cannot be sent
      const options: RequestOptions = verb === 'FETCH' ? { blocking: true } : {};
      return this.#send(verb, args, options);
    });
  }

  close(): Observable<void> {
    return defer(() => {
      this.#closed = true;
      // Exactly one `undefined`, whatever the pool's close emits (a given pool may emit nothing).
      return concat(this.#pool.close().pipe(ignoreElements()), of(undefined));
    });
  }

  destroy(): void {
    this.#closed = true;
    this.#pool.destroy();
  }
}

const FETCH_OPTIONS: RequestOptions = Object.freeze({ blocking: true });
/** A PUSHB goes out beside the others in flight, each on a socket of its own while the pool has room. */
const SPREAD_OPTIONS: RequestOptions = Object.freeze({ spread: true });

/** The jid of a PUSH the server took (its one argument is the job). */
function readPushed(reply: Reply, args: readonly CommandArg[]): string {
  expectOk(reply, 'PUSH');
  return (args[0] as Payload).jid;
}

function readOkAck(reply: Reply): void {
  expectOk(reply, 'ACK');
}

function readOkFail(reply: Reply): void {
  expectOk(reply, 'FAIL');
}

function toPayload(input: unknown): JobPayload {
  const raw: unknown = isJobSource(input) ? input.build() : input;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidJobError('a job must be an object or a job builder', { field: 'job' });
  }
  return raw as JobPayload;
}

function readBeat(reply: Reply): BeatReply {
  if (reply.type === 'simple' && reply.value === 'OK') return 'ok';
  const state = expectObject(reply, 'BEAT')['state'];
  if (state === 'quiet' || state === 'terminate') return state;
  throw new ProtocolError(`BEAT replied with an unknown state ${show(state)}`, { verb: 'BEAT' });
}

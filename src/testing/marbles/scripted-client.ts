import { NEVER, type Observable, type SchedulerLike, asyncScheduler, defer, finalize, map, of, timer } from 'rxjs';
import { ServerError } from '../../errors.js';
import type { AnyJobs, BeatOptions, BeatReply, FailOptions, JobOf, JobTypes, WorkerClient } from '../../streams/types.js';
import type { PoolEvent } from '../../transport/types.js';

/** A command the scripted client was asked to send, with the scheduler time it was sent at. */
export type ScriptedCall =
  | { readonly command: 'FETCH'; readonly at: number; readonly queues: readonly string[] }
  | { readonly command: 'ACK'; readonly at: number; readonly jid: string }
  | { readonly command: 'FAIL'; readonly at: number; readonly jid: string; readonly error: unknown; readonly options: FailOptions | undefined }
  | { readonly command: 'BEAT'; readonly at: number; readonly options: BeatOptions | undefined }
  | { readonly command: 'CLOSE'; readonly at: number }
  | { readonly command: 'DESTROY'; readonly at: number };

/** The command names of {@link ScriptedCall}. */
export type ScriptedCommand = ScriptedCall['command'];

/**
 * How a {@link ScriptedClient} answers. Every reply function receives the 0-based index of the
 * call (per command) and returns the reply as an Observable: a marble (`cold('--a|', ...)`), a
 * `timer`, `throwError(...)`. Commands without a script answer after `replyDelayMs`.
 */
export interface ScriptedClientOptions<Jobs extends JobTypes = AnyJobs> {
  /** The clock that timestamps calls and delays default replies. @defaultValue `asyncScheduler` */
  readonly scheduler?: SchedulerLike;
  /** Jobs the default FETCH script hands out, one per FETCH, in order. @defaultValue `[]` */
  readonly jobs?: readonly JobOf<Jobs>[];
  /** Delay of every default reply, in milliseconds. @defaultValue 1 */
  readonly replyDelayMs?: number;
  /** How long a default FETCH with no job left waits before answering `null`, in milliseconds (the server waits 2 s). @defaultValue 2_000 */
  readonly emptyFetchMs?: number;
  readonly fetch?: (index: number, queues: readonly string[]) => Observable<JobOf<Jobs> | null>;
  readonly ack?: (index: number, jid: string) => Observable<void>;
  readonly fail?: (index: number, jid: string, error: unknown) => Observable<void>;
  readonly beat?: (index: number, options: BeatOptions | undefined) => Observable<BeatReply>;
  readonly close?: (index: number) => Observable<void>;
  /** The pool events to report. @defaultValue `NEVER` */
  readonly events$?: Observable<PoolEvent>;
}

/** A {@link WorkerClient} that answers from a script and records what it was asked. */
export interface ScriptedClient<Jobs extends JobTypes = AnyJobs> extends WorkerClient<Jobs> {
  /** Every command subscribed to, in order. */
  readonly calls: readonly ScriptedCall[];
  /** The calls of one command. */
  callsOf<C extends ScriptedCommand>(command: C): Extract<ScriptedCall, { command: C }>[];
  /** Commands sent whose reply has not arrived (or was cancelled), by command. */
  outstanding(command: ScriptedCommand): number;
  /** The most commands of one kind ever outstanding at once. */
  peakOutstanding(command: ScriptedCommand): number;
}

/**
 * A `WorkerClient` without sockets for marble tests of workers: its replies are scripted
 * Observables on your scheduler (`TestScheduler` marbles, timers, errors) and it records every
 * command with the time it was sent. Pass it as `createWorker({ client, ... })`.
 *
 * @example
 * const scheduler = new TestScheduler((a, b) => assert.deepEqual(a, b));
 * scheduler.run(({ cold, expectObservable }) => {
 *   const client = createScriptedClient<Jobs>({
 *     scheduler,
 *     fetch: (i) => (i === 0 ? cold('-a|', { a: job }) : cold('2000ms a|', { a: null })),
 *     beat: () => cold('-a|', { a: 'terminate' }),
 *   });
 *   const worker = createWorker<Jobs>({ client, scheduler, handlers, beatIntervalMs: 100 });
 *   expectObservable(worker.pipe(filter(isWorkerEvent('stopped')), map(() => 's'))).toBe('...');
 * });
 * // then: client.callsOf('ACK') holds the jids acked and when.
 */
export function createScriptedClient<Jobs extends JobTypes = AnyJobs>(options: ScriptedClientOptions<Jobs> = {}): ScriptedClient<Jobs> {
  return new Scripted<Jobs>(options);
}

/** `-ERR <message>` as the client reports it, for scripts: e.g. `serverError('FAIL', 'Job not found abc')`. */
export function serverError(verb: string, message: string, serverCode = 'ERR'): ServerError {
  return new ServerError(message, { verb, serverCode });
}

class Scripted<Jobs extends JobTypes> implements ScriptedClient<Jobs> {
  readonly #o: ScriptedClientOptions<Jobs>;
  readonly #scheduler: SchedulerLike;
  readonly #calls: ScriptedCall[] = [];
  readonly #counts = new Map<ScriptedCommand, number>();
  readonly #outstanding = new Map<ScriptedCommand, number>();
  readonly #peak = new Map<ScriptedCommand, number>();
  #nextJob = 0;
  readonly events$: Observable<PoolEvent>;

  constructor(options: ScriptedClientOptions<Jobs>) {
    this.#o = options;
    this.#scheduler = options.scheduler ?? asyncScheduler;
    this.events$ = options.events$ ?? NEVER;
  }

  get calls(): readonly ScriptedCall[] {
    return this.#calls;
  }

  callsOf<C extends ScriptedCommand>(command: C): Extract<ScriptedCall, { command: C }>[] {
    return this.#calls.filter((c): c is Extract<ScriptedCall, { command: C }> => c.command === command);
  }

  outstanding(command: ScriptedCommand): number {
    return this.#outstanding.get(command) ?? 0;
  }

  peakOutstanding(command: ScriptedCommand): number {
    return this.#peak.get(command) ?? 0;
  }

  fetch(...queues: readonly string[]): Observable<JobOf<Jobs> | null> {
    return this.#command('FETCH', (index) => {
      this.#record({ command: 'FETCH', at: this.#scheduler.now(), queues });
      if (this.#o.fetch !== undefined) return this.#o.fetch(index, queues);
      const jobs = this.#o.jobs ?? [];
      const job = jobs[this.#nextJob];
      if (job === undefined) return this.#after(this.#o.emptyFetchMs ?? 2_000, null);
      this.#nextJob++;
      return this.#after(this.#o.replyDelayMs ?? 1, job);
    });
  }

  ack(jid: string): Observable<void> {
    return this.#command('ACK', (index) => {
      this.#record({ command: 'ACK', at: this.#scheduler.now(), jid });
      return this.#o.ack?.(index, jid) ?? this.#after(this.#o.replyDelayMs ?? 1, undefined);
    });
  }

  fail(jid: string, error: unknown, options?: FailOptions): Observable<void> {
    return this.#command('FAIL', (index) => {
      this.#record({ command: 'FAIL', at: this.#scheduler.now(), jid, error, options });
      return this.#o.fail?.(index, jid, error) ?? this.#after(this.#o.replyDelayMs ?? 1, undefined);
    });
  }

  beat(options?: BeatOptions): Observable<BeatReply> {
    return this.#command('BEAT', (index) => {
      this.#record({ command: 'BEAT', at: this.#scheduler.now(), options });
      return this.#o.beat?.(index, options) ?? this.#after<BeatReply>(this.#o.replyDelayMs ?? 1, 'ok');
    });
  }

  close(): Observable<void> {
    return this.#command('CLOSE', (index) => {
      this.#record({ command: 'CLOSE', at: this.#scheduler.now() });
      return this.#o.close?.(index) ?? of(undefined);
    });
  }

  destroy(): void {
    this.#record({ command: 'DESTROY', at: this.#scheduler.now() });
  }

  #record(call: ScriptedCall): void {
    this.#calls.push(call);
  }

  #after<T>(delayMs: number, value: T): Observable<T> {
    return timer(delayMs, this.#scheduler).pipe(map(() => value));
  }

  #command<T>(command: ScriptedCommand, reply: (index: number) => Observable<T>): Observable<T> {
    return defer(() => {
      const index = this.#counts.get(command) ?? 0;
      this.#counts.set(command, index + 1);
      const now = (this.#outstanding.get(command) ?? 0) + 1;
      this.#outstanding.set(command, now);
      this.#peak.set(command, Math.max(now, this.#peak.get(command) ?? 0));
      return reply(index).pipe(
        finalize(() => {
          this.#outstanding.set(command, (this.#outstanding.get(command) ?? 1) - 1);
        }),
      );
    });
  }
}

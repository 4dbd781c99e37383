import type { BeatReply } from '../streams/types.js';

/**
 * Where a worker is in its lifecycle. States only move forward:
 * `running` -> `quiet` -> `terminating` -> `stopped` (quiet may be skipped).
 */
export type WorkerLifecycleState = 'running' | 'quiet' | 'terminating' | 'stopped';

/** What moved the worker to a new state. */
export type StateChangeCause = 'beat' | 'quiet' | 'stop' | 'unsubscribe' | 'fatal';

/** Why a job was FAILed. */
export type JobFailureReason = 'error' | 'timeout' | 'shutdown' | 'unknownJobType';

/** Which of the worker's clients an event is about. */
export type WorkerClientRole = 'main' | 'beat';

/** The worker subscribed its clients and begins fetching. */
export interface WorkerStartedEvent {
  readonly type: 'started';
  readonly wid: string;
  readonly concurrency: number;
  /** Sockets for FETCH. */
  readonly fetchers: number;
  /** FETCHes pipelined per FETCH socket while jobs keep coming. */
  readonly fetchDepth: number;
}

/** A job was reserved by `FETCH` and is about to run. */
export interface JobFetchedEvent {
  readonly type: 'fetched';
  readonly jid: string;
  readonly jobtype: string;
  readonly queue: string;
}

/** A job's handler finished and its `ACK` was accepted. */
export interface JobSucceededEvent {
  readonly type: 'succeeded';
  readonly jid: string;
  readonly jobtype: string;
  /** Handler time, in milliseconds. */
  readonly durationMs: number;
}

/** A job failed (error, timeout, shutdown or unknown jobtype) and its `FAIL` was accepted. */
export interface JobFailedEvent {
  readonly type: 'failed';
  readonly jid: string;
  readonly jobtype: string;
  readonly durationMs: number;
  readonly reason: JobFailureReason;
  readonly error: unknown;
}

/** An `ACK` hit a retriable error and will be sent again after `delayMs`. */
export interface AckRetriedEvent {
  readonly type: 'ackRetried';
  readonly jid: string;
  /** 1 for the first retry. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: unknown;
}

/** A `FAIL` hit a retriable error and will be sent again after `delayMs`. */
export interface FailRetriedEvent extends Omit<AckRetriedEvent, 'type'> {
  readonly type: 'failRetried';
}

/** An `ACK` or `FAIL` will be sent again. */
export type DeliveryRetriedEvent = AckRetriedEvent | FailRetriedEvent;

/**
 * An `ACK` or `FAIL` could not be delivered: the server no longer holds the reservation
 * (`jobNotFound`, FAIL only), retrying would outlive the reservation (`expired`), or the error
 * is not retriable (`error`). The server will treat the job as failed when its reservation ends.
 */
export interface DeliveryLostEvent {
  readonly type: 'deliveryLost';
  readonly command: 'ACK' | 'FAIL';
  readonly jid: string;
  readonly jobtype: string;
  readonly reason: 'jobNotFound' | 'expired' | 'error';
  readonly error: unknown;
}

/** `FETCH` failed; the fetcher waits `delayMs` and tries again. */
export interface FetchRetriedEvent {
  readonly type: 'fetchRetried';
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: unknown;
}

/** The lifecycle state changed. */
export interface StateChangedEvent {
  readonly type: 'stateChanged';
  readonly from: WorkerLifecycleState;
  readonly to: WorkerLifecycleState;
  readonly cause: StateChangeCause;
}

/** A `BEAT` was answered. */
export interface HeartbeatEvent {
  readonly type: 'heartbeat';
  readonly reply: BeatReply;
  readonly rssKb: number;
}

/** A `BEAT` failed; the next one is sent at the next interval. */
export interface HeartbeatFailedEvent {
  readonly type: 'heartbeatFailed';
  readonly error: unknown;
}

/** The server had forgotten this worker (`unknown worker`); it was registered again with the same wid. */
export interface ReregisteredEvent {
  readonly type: 'reregistered';
  readonly wid: string;
}

/** The event loop was blocked for `blockedMs`: long stalls delay `BEAT` and risk the server's 60 s reaping. */
export interface StallWarningEvent {
  readonly type: 'stallWarning';
  readonly blockedMs: number;
}

/** A client's pool lost a connection. */
export interface ConnectionLostEvent {
  readonly type: 'connectionLost';
  readonly client: WorkerClientRole;
  readonly error: Error;
}

/** A client's pool connected again after a loss. */
export interface ConnectionRestoredEvent {
  readonly type: 'connectionRestored';
  readonly client: WorkerClientRole;
}

/** The worker has stopped: every job was acked or failed and the clients are closed. Last event. */
export interface WorkerStoppedEvent {
  readonly type: 'stopped';
  /** Whether the stop was forceful (unsubscribe or fatal error). */
  readonly forced: boolean;
  /** Jobs FAILed because the worker shut down (shutdown timeout or forced stop). */
  readonly abortedJobs: number;
}

/**
 * Everything a worker reports, as a discriminated union on `type`, so `filter` narrows it.
 *
 * @example
 * worker$.pipe(filter((e): e is JobFailedEvent => e.type === 'failed')).subscribe(...)
 */
export type WorkerEvent =
  | WorkerStartedEvent
  | JobFetchedEvent
  | JobSucceededEvent
  | JobFailedEvent
  | AckRetriedEvent
  | FailRetriedEvent
  | DeliveryLostEvent
  | FetchRetriedEvent
  | StateChangedEvent
  | HeartbeatEvent
  | HeartbeatFailedEvent
  | ReregisteredEvent
  | StallWarningEvent
  | ConnectionLostEvent
  | ConnectionRestoredEvent
  | WorkerStoppedEvent;

/** The `type` tags of {@link WorkerEvent}. */
export type WorkerEventType = WorkerEvent['type'];

/**
 * A type guard for one kind of event, for `filter`.
 *
 * @example
 * worker$.pipe(filter(isWorkerEvent('failed'))).subscribe((e) => console.log(e.jid, e.error));
 */
export function isWorkerEvent<T extends WorkerEventType>(type: T): (event: WorkerEvent) => event is Extract<WorkerEvent, { type: T }> {
  return (event): event is Extract<WorkerEvent, { type: T }> => event.type === type;
}

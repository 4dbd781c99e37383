import type { BeatReply, JobPayload } from '../streams/types.js';

/**
 * Where a worker is in its lifecycle. States only move forward:
 * `running` -> `quiet` -> `terminating` -> `stopped` (quiet may be skipped).
 */
export type WorkerLifecycleState = 'running' | 'quiet' | 'terminating' | 'stopped';

/** What moved the worker to a new state. */
export type StateChangeCause = 'beat' | 'quiet' | 'stop' | 'unsubscribe' | 'fatal';

/** Why a job was FAILed. */
export type JobFailureReason = 'error' | 'timeout' | 'shutdown' | 'unknownJobType' | 'discarded';

/** Which of the worker's clients an event is about. */
export type WorkerClientRole = 'main' | 'beat';

/** The worker subscribed its clients and begins fetching. */
export interface WorkerStartedEvent {
  readonly type: 'started';
  readonly wid: string;
  readonly concurrency: number;
  /** Sockets for FETCH. */
  readonly fetchers: number;
  /** FETCHes outstanding per FETCH socket (1 unless `fetchDepth` opted into pipelining). */
  readonly fetchDepth: number;
  /** The worker's `shutdownTimeoutMs`. */
  readonly shutdownTimeoutMs: number;
  /** The worker's `deliveryGraceMs`. */
  readonly deliveryGraceMs: number;
}

/** A job was reserved by `FETCH` and is about to run. */
export interface JobFetchedEvent<Job extends JobPayload<string, readonly unknown[]> = JobPayload> {
  readonly type: 'fetched';
  readonly jid: string;
  readonly jobtype: string;
  readonly queue: string;
  /** The job as fetched. */
  readonly job: Job;
  /** When the FETCH brought it, on the worker's scheduler clock (ms): its reservation runs from here. */
  readonly atMs: number;
  /** The round trip of the FETCH that brought it, in milliseconds. */
  readonly fetchMs?: number;
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
 * (`jobNotFound`, FAIL only), retrying would outlive the reservation (`expired`), the error
 * is not retriable (`error`), or a stopping worker's delivery grace ran out (`stopped`). The
 * server will treat the job as failed when its reservation ends, and retry it then.
 */
export interface DeliveryLostEvent {
  readonly type: 'deliveryLost';
  readonly command: 'ACK' | 'FAIL';
  readonly jid: string;
  readonly jobtype: string;
  readonly reason: 'jobNotFound' | 'expired' | 'error' | 'stopped';
  readonly error: unknown;
}

/** An ACK or FAIL the worker could not deliver, as {@link UndeliveredEvent} lists it. */
export interface UndeliveredCommand {
  readonly command: 'ACK' | 'FAIL';
  readonly jid: string;
  readonly jobtype: string;
}

/**
 * Emitted once before `stopped` when a stopping worker gave up delivering ACKs or FAILs (the
 * server was unreachable for the whole delivery grace, `deliveryGraceMs`). Faktory still holds
 * those jobs' reservations and retries each job once its `reserve_for` runs out (30 min by
 * default), so an ACKed job may run again.
 */
export interface UndeliveredEvent {
  readonly type: 'undelivered';
  readonly commands: readonly UndeliveredCommand[];
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

/**
 * A client's pool could not connect, or lost a connection, and tries again in `delayMs`
 * (`attempt` counts the failures in a row). Also before any first connection, so a worker whose
 * server cannot be reached says so at once.
 */
export interface ConnectionFailedEvent {
  readonly type: 'connectionFailed';
  readonly client: WorkerClientRole;
  readonly attempt: number;
  readonly delayMs: number;
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
  | UndeliveredEvent
  | FetchRetriedEvent
  | StateChangedEvent
  | HeartbeatEvent
  | HeartbeatFailedEvent
  | ReregisteredEvent
  | StallWarningEvent
  | ConnectionLostEvent
  | ConnectionFailedEvent
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

/** How a job's handler ended: success, or the error (and why) to FAIL it with. */
export type JobOutcome = { readonly ok: true } | { readonly ok: false; readonly error: unknown; readonly reason: JobFailureReason };

/**
 * A pipeline event between {@link runJobs} and {@link settleJobs}: a job's outcome is known (its
 * handler finished, failed, timed out or was aborted) and its ACK or FAIL is due. Not a
 * {@link WorkerEvent}: `settleJobs` turns it into `succeeded`, `failed` or `deliveryLost`.
 */
export interface JobHandledEvent<Job extends JobPayload<string, readonly unknown[]> = JobPayload> {
  readonly type: 'handled';
  readonly jid: string;
  readonly jobtype: string;
  readonly job: Job;
  readonly outcome: JobOutcome;
  /** When the job was fetched, on the scheduler clock (ms). */
  readonly fetchedAtMs: number;
  /** From the start of its handler to its outcome, in milliseconds. */
  readonly durationMs: number;
}

/**
 * A pipeline event of {@link runJobs}: a job's handler has settled, so its slot is free. It comes
 * with `handled` for a handler that finished by itself; an aborted or timed-out job's comes only
 * once its handler gives up (a Promise settles, an Observable is unsubscribed at once). Not a
 * {@link WorkerEvent}: the worker feeds it back to {@link jobDemand}.
 */
export interface JobReleasedEvent {
  readonly type: 'released';
  readonly jid: string;
}

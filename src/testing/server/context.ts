import type { Clock } from './clock.js';
import type { JobStore } from './store.js';
import type { WorkerRecord, WorkerRegistry } from './workers.js';

/** Counters of the server, read by INFO and by {@link FaktoryServer.stats}. */
export interface ServerCounters {
  /** Connections open now. */
  connections: number;
  /** Connections accepted since start. */
  totalConnections: number;
  /** Commands processed since start (lines with a known verb). */
  commands: number;
  /** Runs of each periodic task (`tick`, `sweep`) and the wall time they took, in milliseconds. */
  readonly tasks: Map<string, { cycles: number; wallMs: number }>;
  /** Workers forgotten by the heartbeat sweep. */
  workersReaped: number;
}

/** An Enterprise command handler (`BATCH`, `TRACK`). */
export type SubsystemHandler = (payload: string | undefined) => string;

/** What a command can see of the server. */
export interface ServerContext {
  readonly store: JobStore;
  readonly workers: WorkerRegistry;
  readonly clock: Clock;
  readonly counters: ServerCounters;
  readonly startedAtMs: number;
  /** How long an empty FETCH waits, in milliseconds. */
  readonly fetchWaitMs: number;
  /** Enterprise `BATCH` and `TRACK`, when Enterprise mode is on. */
  readonly enterprise: { readonly batch: SubsystemHandler; readonly track: SubsystemHandler } | undefined;
}

/** What a command can see of the connection that sent it. */
export interface ConnectionContext {
  /** The worker of this connection, when its HELLO carried a wid. */
  readonly worker: WorkerRecord | undefined;
}

/** Answer later: call `deliver` once with the reply; return a function that cancels. */
export type DeferredReply = (deliver: (reply: string) => void) => () => void;

/** `END`: close the connection without a reply. */
export const CLOSE = Symbol('close');

/** What a command produces: RESP bytes to send now, a deferred reply, or {@link CLOSE}. */
export type Outcome = string | DeferredReply | typeof CLOSE;

/** A command: `payload` is the text after the first space, `undefined` when there is none. */
export type CommandHandler = (server: ServerContext, connection: ConnectionContext, payload: string | undefined) => Outcome;

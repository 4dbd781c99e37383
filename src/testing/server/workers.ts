/** A worker's lifecycle state; it only moves forward. */
export type WorkerState = 'running' | 'quiet' | 'terminate';

const ORDER: Readonly<Record<WorkerState, number>> = { running: 0, quiet: 1, terminate: 2 };

/** What a worker said about itself in `HELLO`. */
export interface WorkerIdentity {
  readonly wid: string;
  readonly hostname: string;
  readonly pid: number;
  readonly labels: readonly string[];
  readonly v: number;
}

/** A connection the registry can close when its worker is forgotten. */
export interface Closable {
  destroy(): void;
}

/** A registered worker process. */
export interface WorkerRecord extends WorkerIdentity {
  state: WorkerState;
  lastBeatMs: number;
  readonly startedAtMs: number;
  rssKb: number;
  readonly connections: Set<Closable>;
}

/** A read-only view of a worker, for the inspection API. */
export interface WorkerInfo extends WorkerIdentity {
  /** `running`, `quiet` or `terminate`. */
  readonly state: WorkerState;
  /** The last `BEAT` (or `HELLO`), in milliseconds since the epoch. */
  readonly lastBeatMs: number;
  /** When it first said `HELLO`, in milliseconds since the epoch. */
  readonly startedAtMs: number;
  /** The `rss_kb` of its last `BEAT`. */
  readonly rssKb: number;
  /** How many connections it has open. */
  readonly connections: number;
}

/** A worker silent this long is forgotten on the next sweep: 60 s. */
export const HEARTBEAT_EXPIRY_MS = 60_000;

/**
 * The registry of worker processes (`wid`s), their state and their connections. A worker is
 * forgotten when its last connection closes or sends END, or after 60 s without a BEAT.
 *
 * Where we differ: the real 1.9.4 keeps the state on the client record of the wid's first
 * connection, so a second connection of a quiet worker still gets jobs from FETCH. Here the
 * state belongs to the wid, so every connection of a quiet or terminating worker gets none.
 */
export class WorkerRegistry {
  readonly #workers = new Map<string, WorkerRecord>();

  /** Registers (or refreshes) a worker from its `HELLO` and attaches the connection. */
  hello(identity: WorkerIdentity, connection: Closable, nowMs: number): WorkerRecord {
    let record = this.#workers.get(identity.wid);
    if (record === undefined) {
      record = { ...identity, state: 'running', lastBeatMs: nowMs, startedAtMs: nowMs, rssKb: 0, connections: new Set() };
      this.#workers.set(identity.wid, record);
    }
    record.lastBeatMs = nowMs;
    record.connections.add(connection);
    return record;
  }

  /** Detaches a closed (or ENDed) connection; a worker left without connections is forgotten, as the real server does. */
  detach(wid: string, connection: Closable): void {
    const record = this.#workers.get(wid);
    if (record === undefined || !record.connections.delete(connection)) return;
    if (record.connections.size === 0) this.#workers.delete(wid);
  }

  /** Records a heartbeat; `undefined` when the worker is unknown. */
  beat(wid: string, nowMs: number, currentState: string | undefined, rssKb: number | undefined): WorkerRecord | undefined {
    const record = this.#workers.get(wid);
    if (record === undefined) return undefined;
    record.lastBeatMs = nowMs;
    if (rssKb !== undefined) record.rssKb = rssKb;
    if (currentState === 'quiet' || currentState === 'terminate') advance(record, currentState);
    return record;
  }

  /** Moves a worker's state forward (never back); `false` when the worker is unknown. */
  setState(wid: string, state: WorkerState): boolean {
    const record = this.#workers.get(wid);
    if (record === undefined) return false;
    advance(record, state);
    return true;
  }

  /** The worker of this wid. */
  get(wid: string): WorkerRecord | undefined {
    return this.#workers.get(wid);
  }

  /** Forgets workers silent for 60 s and closes their connections; returns their wids. */
  sweep(nowMs: number): string[] {
    const gone: string[] = [];
    for (const [wid, record] of this.#workers) {
      if (nowMs - record.lastBeatMs < HEARTBEAT_EXPIRY_MS) continue;
      this.#workers.delete(wid);
      gone.push(wid);
      for (const connection of [...record.connections]) connection.destroy();
    }
    return gone;
  }

  /** Read-only views of every worker. */
  list(): WorkerInfo[] {
    return [...this.#workers.values()].map((r) => ({
      wid: r.wid,
      hostname: r.hostname,
      pid: r.pid,
      labels: [...r.labels],
      v: r.v,
      state: r.state,
      lastBeatMs: r.lastBeatMs,
      startedAtMs: r.startedAtMs,
      rssKb: r.rssKb,
      connections: r.connections.size,
    }));
  }

  /** The number of registered workers. */
  get size(): number {
    return this.#workers.size;
  }
}

function advance(record: WorkerRecord, state: WorkerState): void {
  if (ORDER[state] > ORDER[record.state]) record.state = state;
}

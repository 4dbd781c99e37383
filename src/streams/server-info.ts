/** The reply of `INFO`, as the Faktory server sends it. */
export interface ServerInfo {
  /** Server time, RFC 3339. */
  readonly now: string;
  /** Server time in UTC, RFC 3339. */
  readonly server_utc_time: string;
  readonly faktory: {
    /** Size of each queue, by name. */
    readonly queues: Readonly<Record<string, number>>;
    readonly sets: {
      readonly scheduled: number;
      readonly retries: number;
      readonly dead: number;
      readonly working: number;
    };
    readonly total_failures: number;
    readonly total_processed: number;
    readonly total_enqueued: number;
    readonly total_queues: number;
    /** Background tasks of the server and their statistics (shape varies by version). */
    readonly tasks: Readonly<Record<string, unknown>>;
  };
  readonly server: {
    readonly description: string;
    readonly faktory_version: string;
    /** Seconds since start. */
    readonly uptime: number;
    readonly connections: number;
    readonly command_count: number;
    readonly used_memory_mb: number;
  };
}

/** The reply of Enterprise `BATCH STATUS`. */
export interface BatchStatus {
  readonly bid: string;
  readonly parent_bid?: string;
  readonly description?: string;
  readonly created_at: string;
  readonly total: number;
  readonly pending: number;
  readonly failed: number;
  /** `''` pending, `'1'` callback enqueued, `'2'` callback succeeded. */
  readonly complete_st: '' | '1' | '2';
  /** `''` pending, `'1'` callback enqueued, `'2'` callback succeeded. */
  readonly success_st: '' | '1' | '2';
}

/** The reply of Enterprise `TRACK GET`. */
export interface TrackStatus {
  readonly jid: string;
  /** 0..100, when the job reported it. */
  readonly percent?: number;
  readonly desc?: string;
  readonly state: 'unknown' | 'enqueued' | 'working' | 'success' | 'failed' | 'dead';
  readonly updated_at?: string;
}

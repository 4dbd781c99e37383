export { startServer, FaktoryServer, SCHEDULER_TICK_MS, SWEEP_INTERVAL_MS } from './server.js';
export type { ServerConditions, ServerStats, TimedJob, WorkingJob } from './server.js';
export { SERVER_DEFAULTS, type ServerOptions, type ServerTlsOptions } from './options.js';
export { realClock, createManualClock, type Clock, type ClockTimer, type ManualClock } from './clock.js';
export { WAIT_DEFAULTS, type WaitOptions } from './waiters.js';
export { passwordHash } from '../../codec/index.js';
export type { Job, JobFailure } from './job.js';
export type { WorkerInfo, WorkerState } from './workers.js';

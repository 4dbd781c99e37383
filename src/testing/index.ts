/**
 * `faktory-rx/testing`: test support: an in-memory, protocol-faithful Faktory server on a
 * real loopback port, and helpers for marble tests of worker behaviour.
 * @module
 */

// In-memory server
export {
  startServer,
  FaktoryServer,
  SCHEDULER_TICK_MS,
  SWEEP_INTERVAL_MS,
  SERVER_DEFAULTS,
  WAIT_DEFAULTS,
  realClock,
  createManualClock,
  passwordHash,
  type ServerConditions,
  type ServerStats,
  type TimedJob,
  type WorkingJob,
  type ServerOptions,
  type ServerTlsOptions,
  type Clock,
  type ClockTimer,
  type ManualClock,
  type WaitOptions,
  type Job,
  type WorkerInfo,
  type WorkerState,
} from './server/index.js';

// Marble tests
export {
  createScriptedClient,
  serverError,
  type ScriptedClient,
  type ScriptedClientOptions,
  type ScriptedCall,
  type ScriptedCommand,
} from './marbles/index.js';

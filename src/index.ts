/**
 * `faktory-rx`: the client (commands as cold Observables), jobs and their builder, the
 * `pushJobs` and `fetchJobs` operators, the worker (`createWorker`, `runWorker`), and the errors.
 * The codec and the transport are internal; the types their options and replies are made of are
 * exported here. Test support is `faktory-rx/testing`.
 * @module
 */

// Errors
export {
  FaktoryError,
  ConnectionError,
  ProtocolError,
  HandshakeError,
  AuthenticationError,
  ServerError,
  TimeoutError,
  ClosedError,
  InvalidJobError,
  InvalidArgumentError,
  isRetriable,
  type FaktoryErrorCode,
} from './errors.js';

// Client
export {
  createClient,
  type ClientOptions,
  type FaktoryClient,
  type WorkerClient,
  type BeatOptions,
  type BeatReply,
  type BeatState,
  type FailOptions,
  type ServerInfo,
  type BatchStatus,
  type TrackStatus,
  type QueueCommands,
  type BatchCommands,
  type BatchOptions,
  type TrackCommands,
  type TrackUpdate,
  type MutateBuilder,
  type MutateTarget,
  type MutateCommand,
  type MutateFilter,
  type MutateOperation,
  type PushMiddleware,
  type RejectedJob,
} from './streams/index.js';
export {
  resolveConfig,
  exponentialBackoff,
  type ResolvedConfig,
  type BackoffOptions,
  type ConnectionOptions,
  type ReconnectStrategy,
  type PoolEvent,
  type PoolLike,
  type Requester,
  type RequestOptions,
  type Reply,
  type WorkerIdentity,
} from './transport/index.js';
export type { CommandArg } from './codec/index.js';

// Jobs
export {
  job,
  defineJobs,
  jobDefaults,
  type JobDefinition,
  type JobDefinitions,
  validateJob,
  JOB_RULES,
  type JobBuilder,
  type JobSource,
  type JobInput,
  type UniqueOptions,
  type JobPayload,
  type JobOf,
  type JobTypes,
  type AnyJobs,
  type JsonValue,
  type JobFailure,
} from './streams/index.js';

// Streams of jobs
export {
  pushJobs,
  fetchJobs,
  type PushJobsOptions,
  type PushResult,
  type PushedResult,
  type RejectedResult,
  type FailedResult,
} from './streams/index.js';

// Worker
export {
  createWorker,
  runWorker,
  isWorkerEvent,
  JobTimeoutError,
  UnknownJobTypeError,
  WorkerShutdownError,
  UnrecoverableError,
  type Worker,
  type StopOptions,
  type WorkerOptions,
  type RunWorkerOptions,
  type WorkerProcess,
  type WorkerClientFactory,
  type WorkerConnectionOptions,
  type WorkerPoolSettings,
  type DefaultWorkerClient,
  type QueueSelection,
  type JobContext,
  type JobHandler,
  type JobHandlers,
  type Middleware,
  type InFlightJob,
  type WorkerEvent,
  type WorkerEventType,
  type WorkerLifecycleState,
  type WorkerClientRole,
  type StateChangeCause,
  type JobFailureReason,
  type WorkerStartedEvent,
  type JobFetchedEvent,
  type JobSucceededEvent,
  type JobFailedEvent,
  type AckRetriedEvent,
  type FailRetriedEvent,
  type DeliveryRetriedEvent,
  type DeliveryLostEvent,
  type UndeliveredEvent,
  type UndeliveredCommand,
  type FetchRetriedEvent,
  type StateChangedEvent,
  type HeartbeatEvent,
  type HeartbeatFailedEvent,
  type ReregisteredEvent,
  type StallWarningEvent,
  type ConnectionLostEvent,
  type ConnectionRestoredEvent,
  type WorkerStoppedEvent,
} from './worker/index.js';

// Worker operators
export {
  jobDemand,
  fetchOnDemand,
  runJobs,
  settleJobs,
  discardUnrecoverable,
  queueOrder,
  type MutatingClient,
  type DemandFeedback,
  type FetchOnDemandOptions,
  type RunJobsOptions,
  type SettleJobsOptions,
  type SettleEvent,
  type JobHandledEvent,
  type JobReleasedEvent,
  type JobOutcome,
} from './worker/index.js';

// Logs, metrics and health
export {
  WorkerMetrics,
  JOB_OUTCOMES,
  DURATION_BUCKETS_MS,
  workerHealth,
  prometheusText,
  startMetricsServer,
  workerLogRecord,
  streamLogger,
  type MetricsOutcome,
  type ConnectionState,
  type JobTypeMetrics,
  type WorkerMetricsSnapshot,
  type DurationSummary,
  type WorkerHealth,
  type WorkerHealthOptions,
  type MetricsServer,
  type MetricsServerOptions,
  type Logger,
  type LogLevel,
  type LogRecord,
  type StreamLoggerOptions,
} from './worker/index.js';

export type * from './types.js';
export { createClient, CLIENT_DEFAULTS } from './client.js';
export type { ClientOptions, FaktoryClient } from './faktory-client.js';
export { job, JobBuilder, type JobSource, type JobInput, type UniqueOptions } from './job-builder.js';
export { validateJob, JOB_RULES } from './validate-job.js';
export { defineJobs, jobDefaults, type JobDefinition, type JobDefinitions } from './job-definitions.js';
export type { PushMiddleware } from './push-middleware.js';
export { MutateBuilder, type MutateTarget, type MutateCommand, type MutateFilter, type MutateOperation } from './mutate-builder.js';
export type { QueueCommands } from './queue-commands.js';
export type { BatchCommands, BatchOptions } from './batch-commands.js';
export type { TrackCommands, TrackUpdate } from './track-commands.js';
export type { ServerInfo, BatchStatus, TrackStatus } from './server-info.js';
export type { FailureDetails } from './failure-details.js';
export {
  pushJobs,
  PUSH_JOBS_DEFAULTS,
  type PushJobsOptions,
  type PushResult,
  type PushedResult,
  type RejectedResult,
  type FailedResult,
} from './push-jobs.js';
export { fetchJobs } from './fetch-jobs.js';

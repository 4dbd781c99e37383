import { GO_ANYS, GO_INT, GO_INT64, GO_MAP, GO_STRING, GO_STRINGS, GO_UINT8, goStruct, type GoType } from './go-json.js';

/**
 * The Go structs of Faktory 1.9.4 that commands decode into, with their JSON field names and
 * types (the names Go's errors print). Field order here is declaration order in the Go source,
 * which is also the order Go writes a struct's fields in.
 */

/** `client.Failure`. */
export const GO_FAILURE = goStruct('client.Failure', {
  failed_at: GO_STRING,
  next_at: GO_STRING,
  message: GO_STRING,
  errtype: GO_STRING,
  backtrace: GO_STRINGS,
  retry_count: GO_INT,
  remaining: GO_INT,
});

/** `client.Job` (`retry` is a `*int`, `failure` a `*Failure`: `null` empties them). */
export const GO_JOB = goStruct('client.Job', {
  retry: GO_INT,
  failure: GO_FAILURE,
  custom: GO_MAP,
  jid: GO_STRING,
  queue: GO_STRING,
  jobtype: GO_STRING,
  created_at: GO_STRING,
  enqueued_at: GO_STRING,
  at: GO_STRING,
  args: GO_ANYS,
  reserve_for: GO_INT,
  backtrace: GO_INT,
});

/** `[]client.Job`, the payload of PUSHB. */
export const GO_JOBS: GoType = { kind: 'slice', name: '[]client.Job', elem: GO_JOB };

/** `server.ClientData`, the payload of HELLO. */
export const GO_CLIENT_DATA = goStruct('server.ClientData', {
  hostname: GO_STRING,
  wid: GO_STRING,
  pid: GO_INT,
  labels: GO_STRINGS,
  pwdhash: GO_STRING,
  v: GO_UINT8,
});

/** `manager.FailPayload`, the payload of FAIL. */
export const GO_FAIL_PAYLOAD = goStruct('manager.FailPayload', {
  jid: GO_STRING,
  message: GO_STRING,
  errtype: GO_STRING,
  backtrace: GO_STRINGS,
});

/** `server.ClientBeat`, the payload of BEAT. */
export const GO_CLIENT_BEAT = goStruct('server.ClientBeat', {
  current_state: GO_STRING,
  wid: GO_STRING,
  rss_kb: GO_INT64,
});

/** `client.JobFilter`. */
export const GO_JOB_FILTER = goStruct('client.JobFilter', {
  jids: GO_STRINGS,
  regexp: GO_STRING,
  jobtype: GO_STRING,
});

/** `client.Operation`, the payload of MUTATE. */
export const GO_OPERATION = goStruct('client.Operation', {
  cmd: { kind: 'string', name: 'client.MutateCommand' },
  target: { kind: 'string', name: 'client.Structure' },
  filter: GO_JOB_FILTER,
});

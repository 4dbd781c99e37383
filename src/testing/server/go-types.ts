/**
 * The Go types that commands decode into, as `encoding/json` sees them: the basic ones and the
 * structs of Faktory 1.9.4, with their JSON field names and the type names Go's errors print.
 */

/** A Go type as `encoding/json` fills it. `name` is how Go's errors spell it. */
export type GoType =
  | { readonly kind: 'string'; readonly name: string }
  | { readonly kind: 'int'; readonly name: string; readonly min: bigint; readonly max: bigint }
  | { readonly kind: 'slice'; readonly name: string; readonly elem: GoType }
  | { readonly kind: 'map'; readonly name: string; readonly elem: GoType }
  | { readonly kind: 'any' }
  | { readonly kind: 'skip' }
  | GoStruct;

/** A Go struct: its short name (`Job`), its full name (`client.Job`) and its JSON fields. */
export interface GoStruct {
  readonly kind: 'struct';
  readonly name: string;
  readonly typeName: string;
  readonly fields: ReadonlyMap<string, GoType>;
  /** The fields by their case-folded name. */
  readonly folded: ReadonlyMap<string, string>;
}

/** A Go struct type with these JSON fields (in declaration order). */
export function goStruct(typeName: string, fields: Readonly<Record<string, GoType>>): GoStruct {
  const map = new Map(Object.entries(fields));
  const folded = new Map<string, string>();
  for (const field of map.keys()) folded.set(foldKey(field) ?? field, field);
  return { kind: 'struct', name: typeName.slice(typeName.indexOf('.') + 1), typeName, fields: map, folded };
}

const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };
/** Go's `string`. */
export const GO_STRING: GoType = { kind: 'string', name: 'string' };
/** Go's `int` (64-bit). */
export const GO_INT: GoType = { kind: 'int', name: 'int', ...INT64 };
/** Go's `int64`. */
export const GO_INT64: GoType = { kind: 'int', name: 'int64', ...INT64 };
/** Go's `uint8`. */
export const GO_UINT8: GoType = { kind: 'int', name: 'uint8', min: 0n, max: 255n };
/** Go's `interface{}`. */
export const GO_ANY: GoType = { kind: 'any' };
/** Go's `[]string`. */
export const GO_STRINGS: GoType = { kind: 'slice', name: '[]string', elem: GO_STRING };
/** Go's `[]interface {}`. */
export const GO_ANYS: GoType = { kind: 'slice', name: '[]interface {}', elem: GO_ANY };
/** Go's `map[string]interface {}`. */
export const GO_MAP: GoType = { kind: 'map', name: 'map[string]interface {}', elem: GO_ANY };
/** Go's `map[string]string`. */
export const GO_STRING_MAP: GoType = { kind: 'map', name: 'map[string]string', elem: GO_STRING };

/** A field name folded as Go matches it (ASCII case, the Kelvin sign and long s); `undefined` when no ASCII name can match. */
export function foldKey(key: string): string | undefined {
  let out = '';
  for (const char of key) {
    const code = char.charCodeAt(0);
    if (code < 0x80) out += code >= 0x61 && code <= 0x7a ? String.fromCharCode(code - 0x20) : char;
    else if (code === 0x212a) out += 'K';
    else if (code === 0x17f) out += 'S';
    else return undefined;
  }
  return out;
}


// The structs, fields in their Go declaration order (the order Go writes them in).

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

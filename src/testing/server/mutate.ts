import { decodeField, GoTypeError, isRecord, parseGoJson, valueTypeError } from './go-json.js';
import { encodeJob, type Job } from './job.js';
import type { JobSet } from './job-set.js';
import { OK, reject } from './replies.js';
import { DEAD_TTL_MS } from './retry-policy.js';
import type { JobStore } from './store.js';
import { globToRegExp } from './glob.js';

/**
 * `MUTATE {"cmd","target","filter"?}`. The line must hold exactly one space (`invalid format`
 * otherwise); the target (`retries`, `scheduled`, `dead`) is checked before the command (`clear`,
 * `kill`, `discard`, `requeue`). The filter: `jids` wins over the rest; otherwise `regexp` (a Redis
 * SCAN glob matched against the job's JSON) and `jobtype` must both match. `clear` ignores it.
 */
export function mutate(store: JobStore, nowMs: number, line: string, payload: string | undefined): string {
  if (line.split(' ').length !== 2 || payload === undefined) reject('invalid format');
  const parsed = parseGoJson(payload);
  if (!parsed.ok) reject(parsed.error);
  const op = parsed.value;
  if (op !== null && !isRecord(op)) reject(valueTypeError(op, 'client.Operation'));
  const record = op ?? {};
  let cmd: string | undefined;
  let target: string | undefined;
  let filter: Record<string, unknown> | undefined;
  try {
    cmd = decodeField(record, 'cmd', 'string', 'Operation') as string | undefined;
    target = decodeField(record, 'target', 'string', 'Operation') as string | undefined;
    filter = decodeField(record, 'filter', 'object', 'Operation') as Record<string, unknown> | undefined;
  } catch (error) {
    if (error instanceof GoTypeError) reject(error.message);
    throw error;
  }
  const set = target === 'retries' ? store.retries : target === 'scheduled' ? store.scheduled : target === 'dead' ? store.dead : undefined;
  if (set === undefined) reject('invalid target for mutation command');
  switch (cmd ?? '') {
    case 'clear':
      set.clear();
      return OK;
    case 'kill':
      for (const job of take(set, matcher(filter))) store.dead.add(job, nowMs + DEAD_TTL_MS);
      return OK;
    case 'discard':
      take(set, matcher(filter));
      return OK;
    case 'requeue':
      for (const job of take(set, matcher(filter))) store.enqueue(job);
      return OK;
    default:
      return reject('unknown mutate operation');
  }
}

function take(set: JobSet, match: (job: Job) => boolean): Job[] {
  const taken: Job[] = [];
  for (const { job } of set.entries()) {
    if (!match(job)) continue;
    set.remove(job.jid);
    taken.push(job);
  }
  return taken;
}

function matcher(filter: Record<string, unknown> | undefined): (job: Job) => boolean {
  if (filter === undefined) return () => true;
  let jids: string[] | undefined;
  let jobtype: string | undefined;
  let pattern: string | undefined;
  try {
    jids = decodeField(filter, 'jids', 'string[]', 'JobFilter') as string[] | undefined;
    jobtype = decodeField(filter, 'jobtype', 'string', 'JobFilter') as string | undefined;
    pattern = decodeField(filter, 'regexp', 'string', 'JobFilter') as string | undefined;
  } catch (error) {
    if (error instanceof GoTypeError) reject(error.message);
    throw error;
  }
  if (jids !== undefined && jids.length > 0) {
    const wanted = new Set(jids);
    return (job) => wanted.has(job.jid);
  }
  const glob = pattern === undefined || pattern === '' ? undefined : globToRegExp(pattern);
  return (job) => (jobtype === undefined || jobtype === '' || job.jobtype === jobtype) && (glob === undefined || glob.test(encodeJob(job)));
}

import { goUnmarshal } from './go-json.js';
import { GO_OPERATION } from './go-types.js';
import { encodeJob, VALID_QUEUE_NAME, type Job } from './job.js';
import type { JobSet, JobSetEntry } from './job-set.js';
import { OK, reject } from './replies.js';
import { DEAD_TTL_MS } from './retry-policy.js';
import type { JobStore } from './store.js';
import { globToRegExp } from './glob.js';

interface Operation {
  readonly cmd?: string;
  readonly target?: string;
  readonly filter?: { readonly jids?: string[]; readonly regexp?: string; readonly jobtype?: string };
}

/**
 * `MUTATE {"cmd","target","filter"?}`, decoded into Go's `client.Operation` (errors are Go's
 * text, without an `invalid JSON:` prefix). The line must hold exactly one space (`invalid
 * format` otherwise); the target (`retries`, `scheduled`, `dead`) is checked before the command
 * (`clear`, `kill`, `discard`, `requeue`). The filter: `jids` wins over the rest; otherwise
 * `regexp` (a Redis SCAN glob matched against the job's JSON) and `jobtype` must both match.
 * `clear` ignores it. `requeue` puts a job back on its queue as it is stored (no new
 * `enqueued_at`); a job whose queue name is invalid stops it with `-ERR queue names must match
 * ...` and stays where it was, with the jobs not yet requeued.
 *
 * Where we differ: the real 1.9.4 then cannot read such a requeued job's latency (`QUEUE
 * LATENCY` fails on the missing `enqueued_at`); ours counts the job as just enqueued (0).
 */
export function mutate(store: JobStore, nowMs: number, line: string, payload: string | undefined): string {
  if (line.split(' ').length !== 2 || payload === undefined) reject('invalid format');
  const decoded = goUnmarshal<Operation>(payload, GO_OPERATION);
  if (!decoded.ok) reject(decoded.error);
  const { cmd, target, filter } = decoded.value;
  const set = target === 'retries' ? store.retries : target === 'scheduled' ? store.scheduled : target === 'dead' ? store.dead : undefined;
  if (set === undefined) reject('invalid target for mutation command');
  switch (cmd ?? '') {
    case 'clear':
      set.clear();
      return OK;
    case 'kill':
      for (const { job } of take(set, matcher(filter))) store.dead.add(job, nowMs + DEAD_TTL_MS);
      return OK;
    case 'discard':
      take(set, matcher(filter));
      return OK;
    case 'requeue':
      for (const entry of matches(set, matcher(filter))) {
        if (!VALID_QUEUE_NAME.test(entry.job.queue)) reject('queue names must match \\A[a-zA-Z0-9._-]+\\z');
        set.remove(entry);
        store.enqueue(entry.job, { stamp: false });
      }
      return OK;
    default:
      return reject('unknown mutate operation');
  }
}

function matches(set: JobSet, match: (job: Job) => boolean): JobSetEntry[] {
  return set.entries().filter((entry) => match(entry.job));
}

function take(set: JobSet, match: (job: Job) => boolean): JobSetEntry[] {
  const taken = matches(set, match);
  for (const entry of taken) set.remove(entry);
  return taken;
}

function matcher(filter: Operation['filter']): (job: Job) => boolean {
  if (filter === undefined) return () => true;
  const { jids, jobtype, regexp } = filter;
  if (jids !== undefined && jids.length > 0) {
    const wanted = new Set(jids);
    return (job) => wanted.has(job.jid);
  }
  const glob = regexp === undefined || regexp === '' ? undefined : globToRegExp(regexp);
  return (job) => (jobtype === undefined || jobtype === '' || job.jobtype === jobtype) && (glob === undefined || glob.test(encodeJob(job)));
}

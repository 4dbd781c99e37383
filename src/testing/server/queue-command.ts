import { goStringify } from './go-json.js';
import { bulk, OK, reject } from './replies.js';
import type { JobStore } from './store.js';

/** Go's `strings.ToUpper`: each character's simple upper case (`ß` stays, where JavaScript gives `SS`). */
function goUpper(text: string): string {
  let out = '';
  for (const char of text) {
    const upper = char.toUpperCase();
    out += upper.length === char.length ? upper : char;
  }
  return out;
}

/**
 * `QUEUE PAUSE|RESUME|REMOVE|LATENCY names...`: the line is split on single spaces, the
 * sub-command upper-cased, `*` means every queue. PAUSE skips queues that do not exist yet (a
 * later push to one is not paused); REMOVE also un-pauses; LATENCY refuses a lone `*` only
 * (`QUEUE LATENCY * q` gives `{"*":0,"q":0}`) and answers `{}` for no names.
 *
 * Where we differ: PAUSE, RESUME or REMOVE without any name (not even an empty one after a
 * space), and a bare `QUEUE`, crash the real 1.9.4 daemon; here they get an `-ERR`.
 */
export function queueCommand(store: JobStore, payload: string | undefined): string {
  const words = (payload ?? '').split(' ');
  const sub = goUpper(words[0] ?? '');
  const names = words.slice(1);
  if (names.length === 0 && (sub === 'PAUSE' || sub === 'RESUME' || sub === 'REMOVE')) reject(`QUEUE ${sub} needs at least one queue name`);
  switch (sub) {
    case 'PAUSE':
      store.pause(names);
      return OK;
    case 'RESUME':
      store.resume(names);
      return OK;
    case 'REMOVE':
      store.remove(names);
      return OK;
    case 'LATENCY': {
      if (names.length === 1 && names[0] === '*') reject('QUEUE LATENCY does not support wildcards');
      const latency: Record<string, number> = {};
      for (const name of [...names].sort()) latency[name] = store.latencySeconds(name);
      return bulk(goStringify(latency));
    }
    default:
      return reject(`no such QUEUE subcommand: ${sub}`);
  }
}

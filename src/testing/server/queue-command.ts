import { goStringify } from './go-json.js';
import { bulk, OK, reject } from './replies.js';
import type { JobStore } from './store.js';

/**
 * `QUEUE PAUSE|RESUME|REMOVE|LATENCY names...`; the sub-command is upper-cased, `*` means every
 * queue (except for LATENCY), unknown names are ignored. A bare `QUEUE` (which crashes the real
 * 1.9.4) gets `-ERR no such QUEUE subcommand: ` here (our choice).
 */
export function queueCommand(store: JobStore, payload: string | undefined): string {
  const words = (payload ?? '').split(' ');
  const sub = (words[0] ?? '').toUpperCase();
  const names = words.slice(1).filter((name) => name !== '');
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
      if (names.includes('*')) reject('QUEUE LATENCY does not support wildcards');
      const latency: Record<string, number> = {};
      for (const name of [...names].sort()) latency[name] = store.latencySeconds(name);
      return bulk(goStringify(latency));
    }
    default:
      return reject(`no such QUEUE subcommand: ${sub}`);
  }
}

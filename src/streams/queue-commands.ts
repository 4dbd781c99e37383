import { defer, map, type Observable } from 'rxjs';
import { ProtocolError } from '../errors.js';
import { assertQueueNames, type CommandSender } from './command-sender.js';
import { expectObject, ok } from './replies.js';

/** The `QUEUE` commands. Each returns a cold Observable; nothing is sent before subscription. */
export interface QueueCommands {
  /** `QUEUE PAUSE`: fetches skip these queues (`*` for all). Unknown names are ignored. */
  pause(...queues: readonly string[]): Observable<void>;
  /** `QUEUE RESUME`: undo `pause` (`*` for all). */
  resume(...queues: readonly string[]): Observable<void>;
  /** `QUEUE REMOVE`: delete these queues and their jobs (`*` for all). */
  remove(...queues: readonly string[]): Observable<void>;
  /** `QUEUE LATENCY`: age in seconds of each queue's oldest job (0 when empty). No wildcard. */
  latency(...queues: readonly string[]): Observable<Readonly<Record<string, number>>>;
}

/** @internal `namespace` is prepended to every queue name but the wildcard `*` (which means every queue, in any namespace). */
export function queueCommands(send: CommandSender, namespace = ''): QueueCommands {
  const named = (queues: readonly string[]): readonly string[] =>
    namespace === '' ? queues : queues.map((queue) => (queue === '*' ? queue : `${namespace}${queue}`));
  const simple = (sub: string, queues: readonly string[]): Observable<void> =>
    defer(() => {
      assertQueueNames(queues, `QUEUE ${sub}`, true);
      return send('QUEUE', [sub, ...named(queues)]).pipe(ok('QUEUE'));
    });
  return {
    pause: (...queues) => simple('PAUSE', queues),
    resume: (...queues) => simple('RESUME', queues),
    remove: (...queues) => simple('REMOVE', queues),
    latency: (...queues) =>
      defer(() => {
        assertQueueNames(queues, 'QUEUE LATENCY', false);
        return send('QUEUE', ['LATENCY', ...named(queues)]).pipe(
          map((reply) => {
            const latencies = expectObject(reply, 'QUEUE');
            const byName: Record<string, number> = {};
            for (const [name, value] of Object.entries(latencies)) {
              if (typeof value !== 'number') throw new ProtocolError('QUEUE LATENCY replied with a non-number', { verb: 'QUEUE' });
              byName[name.startsWith(namespace) ? name.slice(namespace.length) : name] = value;
            }
            return byName;
          }),
        );
      }),
  };
}

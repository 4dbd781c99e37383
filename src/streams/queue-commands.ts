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

/** @internal */
export function queueCommands(send: CommandSender): QueueCommands {
  const simple = (sub: string, queues: readonly string[]): Observable<void> =>
    defer(() => {
      assertQueueNames(queues, `QUEUE ${sub}`, true);
      return send('QUEUE', [sub, ...queues]).pipe(ok('QUEUE'));
    });
  return {
    pause: (...queues) => simple('PAUSE', queues),
    resume: (...queues) => simple('RESUME', queues),
    remove: (...queues) => simple('REMOVE', queues),
    latency: (...queues) =>
      defer(() => {
        assertQueueNames(queues, 'QUEUE LATENCY', false);
        return send('QUEUE', ['LATENCY', ...queues]).pipe(
          map((reply) => {
            const latencies = expectObject(reply, 'QUEUE');
            for (const value of Object.values(latencies)) {
              if (typeof value !== 'number') throw new ProtocolError('QUEUE LATENCY replied with a non-number', { verb: 'QUEUE' });
            }
            return latencies as Record<string, number>;
          }),
        );
      }),
  };
}

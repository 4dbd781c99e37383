import { defer, EMPTY, NEVER, of, throwError, type Observable } from 'rxjs';
import { formatCommand, type CommandArg, type Frame } from '../../src/codec/index.js';
import { ServerError } from '../../src/errors.js';
import type { PoolEvent, PoolLike, Reply, RequestOptions } from '../../src/transport/types.js';

/** How the fake server answers a command line. */
export type Responder = (line: string, verb: string) => Frame | Observable<Reply>;

/** A PoolLike that records every command line it is asked to send and answers from a script. */
export class FakePool implements PoolLike {
  readonly lines: string[] = [];
  readonly options: RequestOptions[] = [];
  readonly events$: Observable<PoolEvent> = NEVER;
  closed = false;
  destroyed = false;
  respond: Responder;

  constructor(respond: Responder = () => ({ type: 'simple', value: 'OK' })) {
    this.respond = respond;
  }

  request(verb: string, args: readonly CommandArg[] = [], options: RequestOptions = {}): Observable<Reply> {
    return defer(() => {
      const line = formatCommand(verb, ...args);
      this.lines.push(line);
      this.options.push(options);
      const answer = this.respond(line, verb);
      if (!('type' in answer)) return answer;
      if (answer.type === 'error') {
        return throwError(() => new ServerError(answer.message, { serverCode: answer.code, verb }));
      }
      return of(answer);
    });
  }

  close(): Observable<void> {
    this.closed = true;
    return EMPTY;
  }

  destroy(): void {
    this.destroyed = true;
  }
}

export const okReply: Frame = { type: 'simple', value: 'OK' };
export const bulk = (value: unknown): Frame => ({ type: 'bulk', value: typeof value === 'string' ? value : JSON.stringify(value) });
export const err = (code: string, message: string): Frame => ({ type: 'error', code, message });

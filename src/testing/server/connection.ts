import type { Socket } from 'node:net';
import type { ClockTimer } from './clock.js';
import { runCommand } from './commands.js';
import { CLOSE, type ConnectionContext, type ServerContext } from './context.js';
import { checkPassword, greeting, HANDSHAKE_TIMEOUT_MS, newChallenge, parseHello, type PasswordChallenge } from './handshake.js';
import { errorReply, OK } from './replies.js';
import { RingQueue } from './ring-queue.js';
import type { WorkerRecord } from './workers.js';

/** What a connection needs from the server that accepted it. */
export interface ConnectionHost extends ServerContext {
  readonly password: string | undefined;
  readonly maxLineBytes: number;
  /** Something changed: re-check the conditions tests wait for. */
  changed(): void;
  /** The client's socket closed (the connection may still be running lines it had sent). */
  socketClosed(connection: ServerConnection): void;
  /** The connection is done: its socket is closed and nothing of it runs any more. */
  closed(connection: ServerConnection): void;
}

const LF = 0x0a;

/**
 * One client socket: greets, checks the HELLO within 2 s, then reads command lines one after
 * another and writes their replies in order. Replies of one read chunk go out in one write. A
 * FETCH that waits holds the connection: later lines wait in a backlog (bounded: reading pauses)
 * until it answers. A line longer than `maxLineBytes` gets `-ERR` and the socket is closed.
 *
 * When the client closes its socket, the lines the server has already received still run, in
 * order, as on the real server (which reads them from its buffer): a waiting FETCH keeps waiting
 * and reserves the job that arrives for the gone client; the replies go nowhere. The server
 * closing a connection (`close()`, `dropConnections()`, a forgotten worker) cancels them instead.
 */
export class ServerConnection implements ConnectionContext {
  readonly #socket: Socket;
  readonly #host: ConnectionHost;
  readonly #challenge: PasswordChallenge | undefined;
  readonly #overLimit: boolean;
  /** `draining`: the client has closed; the lines already received still run, their replies are dropped. */
  #phase: 'greeting' | 'ready' | 'draining' | 'closed' = 'greeting';
  #handshakeTimer: ClockTimer | undefined;
  #partial: Buffer[] = [];
  #partialBytes = 0;
  readonly #backlog = new RingQueue<string>();
  #cancel: (() => void) | undefined;
  #out = '';
  #worker: WorkerRecord | undefined;

  /**
   * @param overLimit - the server is over its connection limit: after the `+OK` of HELLO send
   *   `-ERR too many connections: N` and close.
   */
  constructor(socket: Socket, host: ConnectionHost, overLimit: boolean) {
    this.#socket = socket;
    this.#host = host;
    this.#overLimit = overLimit;
    this.#challenge = host.password === undefined ? undefined : newChallenge();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.#onData(chunk);
    });
    socket.on('drain', () => {
      if (this.#cancel === undefined) socket.resume();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.#clientClosed();
    });
    this.#handshakeTimer = host.clock.setTimeout(() => {
      this.#handshakeTimer = undefined;
      if (this.#phase === 'greeting') this.destroy();
    }, HANDSHAKE_TIMEOUT_MS);
    socket.write(greeting(this.#challenge));
  }

  /** The worker of this connection, when its HELLO carried a wid. */
  get worker(): WorkerRecord | undefined {
    return this.#worker;
  }

  #isWaiting(): boolean {
    return this.#cancel !== undefined;
  }

  #isClosed(): boolean {
    return this.#phase === 'closed';
  }

  /** Closes the socket at once, cancelling whatever is still running. */
  destroy(): void {
    this.#dispose();
    this.#socket.destroy();
  }

  /** The socket closed: lines already received keep running (see the class comment) unless the server closed it. */
  #clientClosed(): void {
    if (this.#phase === 'ready' && (this.#isWaiting() || this.#backlog.size > 0)) {
      this.#phase = 'draining';
      this.#out = '';
      this.#partial = [];
      this.#detachWorker();
      this.#host.socketClosed(this);
      return;
    }
    this.#dispose();
    this.#host.socketClosed(this);
    this.#host.closed(this);
  }

  #detachWorker(): void {
    if (this.#worker !== undefined) this.#host.workers.detach(this.#worker.wid, this);
  }

  #dispose(): void {
    if (this.#phase === 'closed' && this.#cancel === undefined && this.#handshakeTimer === undefined) return;
    const wasDraining = this.#phase === 'draining';
    this.#phase = 'closed';
    this.#cancel?.();
    this.#cancel = undefined;
    if (this.#handshakeTimer !== undefined) this.#host.clock.clearTimeout(this.#handshakeTimer);
    this.#handshakeTimer = undefined;
    this.#detachWorker();
    this.#backlog.clear();
    this.#partial = [];
    if (wasDraining) this.#host.closed(this);
  }

  /** Writes what is pending, then closes once it is flushed. */
  #closeAfterWrite(): void {
    this.#flush();
    this.#dispose();
    this.#socket.destroySoon();
  }

  #onData(chunk: Buffer): void {
    if (this.#phase === 'closed') return;
    const max = this.#host.maxLineBytes;
    let start = 0;
    for (let newline = chunk.indexOf(LF, start); newline >= 0; newline = chunk.indexOf(LF, start)) {
      if (this.#partialBytes + newline - start > max) {
        this.#tooLong();
        return;
      }
      let line: string;
      if (this.#partialBytes === 0) {
        line = chunk.toString('utf8', start, newline > start && chunk[newline - 1] === 0x0d ? newline - 1 : newline);
      } else {
        this.#partial.push(chunk.subarray(start, newline));
        line = Buffer.concat(this.#partial).toString('utf8');
        if (line.endsWith('\r')) line = line.slice(0, -1);
        this.#partial = [];
        this.#partialBytes = 0;
      }
      start = newline + 1;
      this.#onLine(line);
      if (this.#isClosed()) return;
    }
    if (start < chunk.length) {
      this.#partialBytes += chunk.length - start;
      if (this.#partialBytes > max) {
        this.#tooLong();
        return;
      }
      this.#partial.push(Buffer.from(chunk.subarray(start)));
    }
    this.#flush();
    this.#host.changed();
  }

  #tooLong(): void {
    this.#out += errorReply(`line too long: the limit is ${this.#host.maxLineBytes} bytes`);
    this.#closeAfterWrite();
    this.#host.changed();
  }

  #onLine(line: string): void {
    if (this.#cancel !== undefined || this.#backlog.size > 0) {
      this.#backlog.push(line);
      return;
    }
    this.#process(line);
  }

  #process(line: string): void {
    if (this.#phase === 'greeting') {
      this.#handshake(line);
      return;
    }
    const outcome = runCommand(this.#host, this, line);
    if (typeof outcome === 'string') {
      this.#out += outcome;
    } else if (outcome === CLOSE) {
      this.#closeAfterWrite();
    } else {
      const call = { settled: false };
      const cancel = outcome((reply) => {
        if (call.settled) return;
        call.settled = true;
        this.#resolved(reply);
      });
      if (!call.settled) {
        this.#cancel = cancel;
        this.#socket.pause();
      }
    }
  }

  #resolved(reply: string): void {
    if (this.#phase === 'closed') return;
    const wasWaiting = this.#isWaiting();
    this.#cancel = undefined;
    this.#out += reply;
    if (!wasWaiting) return;
    for (let line = this.#backlog.shift(); line !== undefined; line = this.#backlog.shift()) {
      this.#process(line);
      if (this.#isClosed() || this.#isWaiting()) break;
    }
    if (this.#phase === 'draining') {
      this.#out = '';
      if (!this.#isWaiting()) this.#dispose();
      this.#host.changed();
      return;
    }
    this.#flush();
    if (!this.#isWaiting() && !this.#isClosed() && !this.#socket.writableNeedDrain) this.#socket.resume();
    this.#host.changed();
  }

  #handshake(line: string): void {
    const hello = parseHello(line);
    if (hello === undefined) {
      this.destroy();
      return;
    }
    const { password } = this.#host;
    if (password !== undefined && this.#challenge !== undefined && !checkPassword(hello, password, this.#challenge)) {
      this.#out += errorReply('Invalid password');
      this.#closeAfterWrite();
      return;
    }
    if (this.#handshakeTimer !== undefined) this.#host.clock.clearTimeout(this.#handshakeTimer);
    this.#handshakeTimer = undefined;
    if (hello.identity !== undefined) this.#worker = this.#host.workers.hello(hello.identity, this, this.#host.clock.now());
    this.#phase = 'ready';
    this.#out += OK;
    if (this.#overLimit) {
      this.#out += errorReply(`too many connections: ${this.#host.counters.connections}`);
      this.#closeAfterWrite();
    }
  }

  #flush(): void {
    if (this.#out === '') return;
    const out = this.#out;
    this.#out = '';
    if (this.#socket.writable && !this.#socket.write(out)) this.#socket.pause();
  }
}

/**
 * A tiny scripted RESP server for transport tests: greets with `HI`, checks `HELLO`, then
 * answers each command line by a script (default: a bulk string echoing the line, so a test can
 * tell which command a reply belongs to). `END` closes the socket; `SILENT` gets no reply.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { encodeFrame, type Frame } from '../../../src/codec/index.js';

/** What the script answers: a frame, raw bytes, nothing (`undefined`), or `'close'` to hang up. */
export type ScriptReply = Frame | Buffer | undefined | 'close';

export interface ScriptedServerOptions {
  /** The raw greeting. @defaultValue `+HI {"v":2}` (or with salt and iterations when `password` is set) */
  readonly greeting?: string;
  /** Require this password (salt `s4lt`, `iterations` rounds). */
  readonly password?: string;
  /** @defaultValue 3 */
  readonly iterations?: number;
  /** Answer to HELLO, overriding the default checks. */
  readonly onHello?: (hello: Record<string, unknown>, socket: Socket) => ScriptReply | readonly ScriptReply[];
  /** Answer to a command line (without CRLF). */
  readonly onCommand?: (line: string, socket: Socket) => ScriptReply;
}

export interface ScriptedServer {
  readonly port: number;
  readonly url: string;
  /** HELLO payloads received, in order. */
  readonly hellos: Record<string, unknown>[];
  /** Command lines received after the handshake, in order. */
  readonly lines: string[];
  /** Sockets accepted so far. */
  readonly accepted: () => number;
  /** Sockets open now. */
  readonly open: () => number;
  close(): Promise<void>;
}

/** The hash the server expects for `password`. */
export function expectedHash(password: string, salt: string, iterations: number): string {
  let digest = createHash('sha256').update(password + salt).digest();
  for (let i = 1; i < iterations; i++) digest = createHash('sha256').update(digest).digest();
  return digest.toString('hex');
}

export async function startScriptedServer(options: ScriptedServerOptions = {}): Promise<ScriptedServer> {
  const iterations = options.iterations ?? 3;
  const greeting =
    options.greeting ?? (options.password === undefined ? '+HI {"v":2}' : `+HI {"v":2,"i":${iterations},"s":"s4lt"}`);
  const hellos: Record<string, unknown>[] = [];
  const lines: string[] = [];
  const sockets = new Set<Socket>();
  let accepted = 0;
  const send = (socket: Socket, reply: ScriptReply): void => {
    if (reply === undefined || socket.destroyed) return;
    if (reply === 'close') socket.end();
    else socket.write(Buffer.isBuffer(reply) ? reply : encodeFrame(reply));
  };
  const server: Server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.write(`${greeting}\r\n`);
    let shaken = false;
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline).replace(/\r$/, '');
        buffered = buffered.slice(newline + 1);
        if (!shaken) {
          shaken = true;
          const hello = JSON.parse(line.replace(/^HELLO /, '')) as Record<string, unknown>;
          hellos.push(hello);
          if (options.onHello !== undefined) {
            const replies = options.onHello(hello, socket);
            for (const reply of Array.isArray(replies) ? (replies as readonly ScriptReply[]) : [replies as ScriptReply]) send(socket, reply);
          } else if (options.password !== undefined && hello['pwdhash'] !== expectedHash(options.password, 's4lt', iterations)) {
            send(socket, { type: 'error', code: 'ERR', message: 'Invalid password' });
            socket.end();
          } else {
            send(socket, { type: 'simple', value: 'OK' });
          }
          continue;
        }
        lines.push(line);
        if (line === 'END') {
          socket.end();
          return;
        }
        if (line.startsWith('SILENT')) continue;
        send(socket, options.onCommand === undefined ? { type: 'bulk', value: line } : options.onCommand(line, socket));
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const { port } = address;
  return {
    port,
    url: `tcp://127.0.0.1:${port}`,
    hellos,
    lines,
    accepted: () => accepted,
    open: () => sockets.size,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    },
  };
}

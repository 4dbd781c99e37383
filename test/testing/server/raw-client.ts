// A raw-socket client for transcript tests: it sends lines and reads the server's replies frame
// by frame, keeping each frame's exact bytes and its decoded form (via RespDecoder).
import { connect as connectNet, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { once } from 'node:events';
import { RespDecoder, type Frame } from '../../../src/codec/index.js';
import { passwordHash } from '../../../src/codec/index.js';

export interface RawFrame {
  readonly raw: string;
  readonly frame: Frame;
}

const GUARD_MS = 8_000;

export class RawClient {
  readonly socket: Socket;
  #buffer = Buffer.alloc(0);
  #wake: (() => void) | undefined;
  #ended = false;

  constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake?.();
    });
    socket.on('close', () => {
      this.#ended = true;
      this.#wake?.();
    });
    socket.on('error', () => undefined);
  }

  static async open(port: number, options: { tls?: boolean } = {}): Promise<RawClient> {
    const socket = options.tls === true ? connectTls({ port, host: '127.0.0.1', rejectUnauthorized: false }) : connectNet(port, '127.0.0.1');
    await once(socket, options.tls === true ? 'secureConnect' : 'connect');
    return new RawClient(socket);
  }

  /** Connects and completes the handshake (computing pwdhash when asked); returns after +OK. */
  static async ready(port: number, hello: Record<string, unknown> = {}, options: { password?: string; tls?: boolean } = {}): Promise<RawClient> {
    const client = await RawClient.open(port, options);
    const hi = await client.frame();
    if (hi.frame.type !== 'simple' || !hi.frame.value.startsWith('HI ')) throw new Error(`unexpected greeting ${hi.raw}`);
    const challenge = JSON.parse(hi.frame.value.slice(3)) as { i?: number; s?: string };
    const body: Record<string, unknown> = { v: 2, ...hello };
    if (challenge.s !== undefined && options.password !== undefined) body['pwdhash'] = passwordHash(options.password, challenge.s, challenge.i ?? 1);
    client.send(`HELLO ${JSON.stringify(body)}`);
    const ok = await client.raw();
    if (ok !== '+OK\r\n') throw new Error(`handshake failed: ${ok}`);
    return client;
  }

  send(line: string): void {
    this.socket.write(line + '\r\n');
  }

  write(bytes: string | Buffer): void {
    this.socket.write(bytes);
  }

  /** The next frame's exact bytes. */
  async raw(): Promise<string> {
    return (await this.frame()).raw;
  }

  /** Sends a line and returns the reply's exact bytes. */
  async call(line: string): Promise<string> {
    this.send(line);
    return this.raw();
  }

  /** Sends a line and returns the decoded reply. */
  async command(line: string): Promise<Frame> {
    this.send(line);
    return (await this.frame()).frame;
  }

  async frame(): Promise<RawFrame> {
    const deadline = Date.now() + GUARD_MS;
    for (;;) {
      const size = frameSize(this.#buffer);
      if (size !== undefined) {
        const raw = this.#buffer.subarray(0, size);
        this.#buffer = this.#buffer.subarray(size);
        return { raw: raw.toString('utf8'), frame: await decode(raw) };
      }
      if (this.#ended) throw new Error(`socket closed; unread bytes: ${JSON.stringify(this.#buffer.toString())}`);
      if (Date.now() > deadline) throw new Error('no reply within the guard time');
      await new Promise<void>((resolve) => {
        const guard = setTimeout(resolve, GUARD_MS);
        this.#wake = () => {
          clearTimeout(guard);
          this.#wake = undefined;
          resolve();
        };
      });
    }
  }

  /** Resolves when the server has closed the socket; returns the bytes it sent but nobody read. */
  async closed(): Promise<string> {
    if (!this.#ended) await once(this.socket, 'close');
    const rest = this.#buffer.toString('utf8');
    this.#buffer = Buffer.alloc(0);
    return rest;
  }

  get isClosed(): boolean {
    return this.#ended;
  }

  close(): void {
    this.socket.destroy();
  }
}

function frameSize(buffer: Buffer): number | undefined {
  const lineEnd = buffer.indexOf('\r\n');
  if (lineEnd < 0) return undefined;
  if (buffer[0] !== 0x24) return lineEnd + 2;
  const length = Number(buffer.toString('latin1', 1, lineEnd));
  if (length < 0) return lineEnd + 2;
  const total = lineEnd + 2 + length + 2;
  return buffer.length >= total ? total : undefined;
}

async function decode(raw: Buffer): Promise<Frame> {
  const decoder = new RespDecoder();
  const frame = once(decoder, 'data') as Promise<[Frame]>;
  decoder.end(raw);
  return (await frame)[0];
}

/** A job payload with a fresh jid. */
let counter = 0;
export function job(fields: Record<string, unknown> = {}): Record<string, unknown> {
  counter++;
  return { jid: `jid-${process.pid}-${counter.toString().padStart(6, '0')}`, jobtype: 'Test', args: [counter], ...fields };
}

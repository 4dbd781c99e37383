import { ServerError } from '../../errors.js';
import { CLOSE, type CommandHandler, type ConnectionContext, type ServerContext } from './context.js';
import { decodeField, GoTypeError, goStringify, isRecord, parseGoJson, valueTypeError } from './go-json.js';
import { buildInfo } from './info.js';
import { decodeJob, encodeJob, type Job } from './job.js';
import { mutate } from './mutate.js';
import { queueCommand } from './queue-command.js';
import { bulk, errorReply, NULL_BULK, OK, reject } from './replies.js';

/** Parses a JSON payload or rejects with `invalid JSON: <Go error>`; a missing payload is empty. */
function parseJson(payload: string | undefined): unknown {
  const parsed = parseGoJson(payload ?? '');
  if (!parsed.ok) reject(`invalid JSON: ${parsed.error}`);
  return parsed.value;
}

function decodeOrReject<T>(decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof GoTypeError) reject(`invalid JSON: ${error.message}`);
    throw error;
  }
}

const push: CommandHandler = (server, _connection, payload) => {
  const job = decodeJob(parseJson(payload));
  if (job instanceof GoTypeError) reject(`invalid JSON: ${job.message}`);
  server.store.push(job);
  return OK;
};

const pushBulk: CommandHandler = (server, _connection, payload) => {
  const value = parseJson(payload);
  if (value !== null && !Array.isArray(value)) reject(`invalid JSON: ${valueTypeError(value, '[]client.Job')}`);
  const decoded = (value ?? []).map((item: unknown) => decodeJob(item));
  const typeError = decoded.find((job) => job instanceof GoTypeError);
  if (typeError !== undefined) reject(`invalid JSON: ${typeError.message}`);
  const rejected: Record<string, string> = {};
  for (const job of decoded as Exclude<(typeof decoded)[number], GoTypeError>[]) {
    try {
      server.store.push(job);
    } catch (error) {
      if (!(error instanceof ServerError)) throw error;
      rejected[job.jid] = error.serverCode === 'ERR' || error.serverCode === null ? error.serverMessage : `${error.serverCode} ${error.serverMessage}`;
    }
  }
  const keys = Object.keys(rejected).sort();
  return bulk(goStringify(Object.fromEntries(keys.map((key) => [key, rejected[key]]))));
};

const fetch: CommandHandler = (server, connection, payload) => {
  if (payload === undefined) reject('must call fetch with at least one queue');
  const queues = payload.split(' ');
  const { store, clock } = server;
  const wid = connection.worker?.wid;
  const idle = connection.worker !== undefined && connection.worker.state !== 'running';
  const job = idle ? undefined : store.tryFetch(queues, wid);
  if (job !== undefined) return bulk(encodeJob(job));
  if (server.fetchWaitMs === 0) return NULL_BULK;
  return (deliver) => {
    const stop = idle ? () => undefined : store.waitFetch(queues, wid, (found: Job) => {
      clock.clearTimeout(timer);
      deliver(bulk(encodeJob(found)));
    });
    const timer = clock.setTimeout(() => {
      stop();
      deliver(NULL_BULK);
    }, server.fetchWaitMs);
    return () => {
      stop();
      clock.clearTimeout(timer);
    };
  };
};

const ACK_PREFIX = '{"jid":"';
const ACK_SUFFIX = '"}';

/**
 * The jid of the usual ACK payload, `{"jid":"<id>"}` with an id free of quotes, backslashes and
 * control characters, read without a JSON parse (what JSON.parse would give for that text);
 * `undefined` for any other text.
 */
function plainAckJid(text: string): string | undefined {
  const end = text.length - ACK_SUFFIX.length;
  if (end < ACK_PREFIX.length || !text.startsWith(ACK_PREFIX) || !text.endsWith(ACK_SUFFIX)) return undefined;
  for (let i = ACK_PREFIX.length; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x22 || code === 0x5c) return undefined;
  }
  return text.slice(ACK_PREFIX.length, end);
}

function ackJid(text: string): string | undefined {
  const plain = plainAckJid(text);
  if (plain !== undefined) return plain;
  const parsed = parseGoJson(text);
  const value = parsed.ok ? parsed.value : undefined;
  if (!isRecord(value)) return undefined;
  for (const key in value) if (typeof value[key] !== 'string') return undefined;
  const jid = value['jid'];
  return typeof jid === 'string' ? jid : undefined;
}

const ack: CommandHandler = (server, _connection, payload) => {
  const text = payload ?? '';
  const jid = ackJid(text);
  if (jid === undefined) reject(`invalid ACK ${text}`);
  server.store.ack(jid);
  return OK;
};

const fail: CommandHandler = (server, _connection, payload) => {
  const value = parseJson(payload);
  if (value !== null && !isRecord(value)) reject(`invalid JSON: ${valueTypeError(value, 'manager.FailPayload')}`);
  const record = value ?? {};
  const field = (name: string, kind: 'string' | 'string[]'): unknown => decodeOrReject(() => decodeField(record, name, kind, 'FailPayload'));
  const jid = (field('jid', 'string') as string | undefined) ?? '';
  server.store.fail(jid, {
    errtype: field('errtype', 'string') as string | undefined,
    message: field('message', 'string') as string | undefined,
    backtrace: field('backtrace', 'string[]') as string[] | undefined,
  });
  return OK;
};

const beat: CommandHandler = (server, _connection, payload) => {
  const value = parseJson(payload);
  if (value !== null && !isRecord(value)) reject(`invalid JSON: ${valueTypeError(value, 'server.ClientBeat')}`);
  const record = value ?? {};
  const wid = (decodeOrReject(() => decodeField(record, 'wid', 'string', 'ClientBeat')) as string | undefined) ?? '';
  const state = decodeOrReject(() => decodeField(record, 'current_state', 'string', 'ClientBeat')) as string | undefined;
  const rssKb = decodeOrReject(() => decodeField(record, 'rss_kb', 'int', 'ClientBeat')) as number | undefined;
  const worker = server.workers.beat(wid, server.clock.now(), state, rssKb);
  if (worker === undefined) reject(`unknown worker ${wid}`);
  return worker.state === 'running' ? OK : bulk(`{"state":"${worker.state}"}`);
};

const info: CommandHandler = (server) => bulk(goStringify(buildInfo(server)));

const flush: CommandHandler = (server) => {
  server.store.flush();
  return OK;
};

const end: CommandHandler = () => CLOSE;

const queue: CommandHandler = (server, _connection, payload) => queueCommand(server.store, payload);

const mutateCommand: CommandHandler = (server, _connection, payload) =>
  mutate(server.store, server.clock.now(), payload === undefined ? 'MUTATE' : `MUTATE ${payload}`, payload);

const batch: CommandHandler = (server, _connection, payload) => {
  if (server.enterprise === undefined) reject('batch subsystem is only available in Faktory Enterprise');
  return server.enterprise.batch(payload);
};

const track: CommandHandler = (server, _connection, payload) => {
  if (server.enterprise === undefined) reject('tracking subsystem is only available in Faktory Enterprise');
  return server.enterprise.track(payload);
};

/** Every command verb the server knows (verbs are case-sensitive). */
export const COMMANDS: ReadonlyMap<string, CommandHandler> = new Map([
  ['PUSH', push],
  ['PUSHB', pushBulk],
  ['FETCH', fetch],
  ['ACK', ack],
  ['FAIL', fail],
  ['BEAT', beat],
  ['INFO', info],
  ['FLUSH', flush],
  ['END', end],
  ['QUEUE', queue],
  ['MUTATE', mutateCommand],
  ['BATCH', batch],
  ['TRACK', track],
]);

/** Turns what a command threw into its error reply (a ServerError keeps its code word). */
export function toErrorReply(error: unknown): string {
  if (error instanceof ServerError) return errorReply(error.serverMessage, error.serverCode ?? 'ERR');
  return errorReply(`internal error: ${error instanceof Error ? error.message : String(error)}`);
}

/**
 * Runs one command line (after the handshake). An unknown verb gets `-ERR unknown command <VERB>`.
 * Never throws: whatever goes wrong becomes an `-ERR` reply.
 */
export function runCommand(server: ServerContext, connection: ConnectionContext, line: string): ReturnType<CommandHandler> {
  const space = line.indexOf(' ');
  const verb = space < 0 ? line : line.slice(0, space);
  const handler = COMMANDS.get(verb);
  if (handler === undefined) return errorReply(`unknown command ${verb}`);
  server.counters.commands++;
  try {
    return handler(server, connection, space < 0 ? undefined : line.slice(space + 1));
  } catch (error) {
    return toErrorReply(error);
  }
}

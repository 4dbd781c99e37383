import { ServerError } from '../../errors.js';
import { CLOSE, type CommandHandler, type ConnectionContext, type ServerContext } from './context.js';
import { goStringify, goUnmarshal } from './go-json.js';
import { GO_CLIENT_BEAT, GO_FAIL_PAYLOAD, GO_JOBS, GO_STRING_MAP } from './go-types.js';
import { buildInfo } from './info.js';
import { decodeJob, encodeJob, jobFromFields, type GoJobFields, type Job } from './job.js';
import { mutate } from './mutate.js';
import { queueCommand } from './queue-command.js';
import { bulk, errorReply, NULL_BULK, OK, reject } from './replies.js';

const push: CommandHandler = (server, _connection, payload) => {
  const job = decodeJob(payload ?? '');
  if (!job.ok) reject(`invalid JSON: ${job.error}`);
  server.store.push(job.value);
  return OK;
};

const pushBulk: CommandHandler = (server, _connection, payload) => {
  const decoded = goUnmarshal<GoJobFields[]>(payload ?? '', GO_JOBS);
  if (!decoded.ok) reject(`invalid JSON: ${decoded.error}`);
  const jobs = decoded.value.map(jobFromFields);
  const rejected: Record<string, string> = {};
  for (const job of jobs) {
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
  const decoded = goUnmarshal<Record<string, string>>(text, GO_STRING_MAP);
  return decoded.ok && Object.hasOwn(decoded.value, 'jid') ? decoded.value['jid'] : undefined;
}

/** `ACK {"jid"}`: the payload is a Go `map[string]string`, so every value must be a string and the key is exact. */
const ack: CommandHandler = (server, _connection, payload) => {
  const text = payload ?? '';
  const jid = ackJid(text);
  if (jid === undefined) reject(`invalid ACK ${text}`);
  server.store.ack(jid);
  return OK;
};

/** `FAIL {"jid","errtype","message","backtrace"}`: a payload that does not decode gets `invalid FAIL <payload>`. */
const fail: CommandHandler = (server, _connection, payload) => {
  const decoded = goUnmarshal<Partial<Record<'jid' | 'errtype' | 'message', string>> & { backtrace?: string[] }>(payload ?? '', GO_FAIL_PAYLOAD);
  if (!decoded.ok) reject(`invalid FAIL ${payload ?? ''}`);
  const { jid, errtype, message, backtrace } = decoded.value;
  server.store.fail(jid ?? '', { errtype, message, backtrace });
  return OK;
};

/** `BEAT {"wid","current_state"?,"rss_kb"?}`: a payload that does not decode gets `invalid BEAT <payload>`. */
const beat: CommandHandler = (server, _connection, payload) => {
  const decoded = goUnmarshal<{ wid?: string; current_state?: string; rss_kb?: number }>(payload ?? '', GO_CLIENT_BEAT);
  if (!decoded.ok) reject(`invalid BEAT ${payload ?? ''}`);
  const wid = decoded.value.wid ?? '';
  const worker = server.workers.beat(wid, server.clock.now(), decoded.value.current_state, decoded.value.rss_kb);
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

import { map, type OperatorFunction } from 'rxjs';
import { ProtocolError } from '../errors.js';
import type { Reply } from '../transport/types.js';

/** Checks that a reply is `+OK`. @internal */
export function expectOk(reply: Reply, verb: string): void {
  if (reply.type === 'simple' && reply.value === 'OK') return;
  throw new ProtocolError(`expected +OK, got ${describe(reply)}`, { verb });
}

/** Maps an `+OK` reply to `undefined`, anything else to a `ProtocolError`. @internal */
export function ok(verb: string): OperatorFunction<Reply, void> {
  return map((reply) => {
    expectOk(reply, verb);
  });
}

/** The text of a simple or bulk string reply. @internal */
export function expectText(reply: Reply, verb: string): string {
  if (reply.type === 'null') throw new ProtocolError('expected a string, got a null reply', { verb });
  return reply.value;
}

/** Parses a simple or bulk reply holding JSON. @internal */
export function expectJson(reply: Reply, verb: string): unknown {
  const text = expectText(reply, verb);
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ProtocolError(`expected JSON, got ${describe(reply)}`, { verb, cause });
  }
}

/** Parses a reply holding a JSON object. @internal */
export function expectObject(reply: Reply, verb: string): Record<string, unknown> {
  const value = expectJson(reply, verb);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError(`expected a JSON object, got ${describe(reply)}`, { verb });
  }
  return value as Record<string, unknown>;
}

function describe(reply: Reply): string {
  if (reply.type === 'null') return 'a null reply';
  const text = reply.value.length > 80 ? `${reply.value.slice(0, 80)}...` : reply.value;
  return `${reply.type} ${JSON.stringify(text)}`;
}

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RawClient } from './raw-client.js';
import { setup } from './setup.js';

// Verbs whose reply is immediate (FETCH blocks and END closes, so they are left out).
const VERBS = ['PUSH', 'PUSHB', 'ACK', 'FAIL', 'BEAT', 'INFO', 'QUEUE', 'MUTATE', 'BATCH', 'TRACK', 'HELLO', 'push', ''];
const SUBS = ['', 'PAUSE ', 'RESUME ', 'REMOVE ', 'LATENCY ', 'NEW ', 'OPEN ', 'COMMIT ', 'STATUS ', 'GET ', 'SET '];

const noNewline = (bytes: Uint8Array): string => Buffer.from(bytes.map((b) => (b === 0x0a || b === 0x0d ? 0x20 : b))).toString('latin1');

const wrongJson = fc.oneof(
  fc.jsonValue(),
  fc.record(
    {
      jid: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
      jobtype: fc.oneof(fc.string(), fc.array(fc.string())),
      args: fc.oneof(fc.array(fc.jsonValue()), fc.string(), fc.constant(null)),
      queue: fc.oneof(fc.string(), fc.constant('*')),
      at: fc.oneof(fc.string(), fc.date({ noInvalidDate: true }).map((d) => d.toISOString())),
      retry: fc.oneof(fc.integer(), fc.double(), fc.string()),
      reserve_for: fc.oneof(fc.integer(), fc.double()),
      custom: fc.oneof(fc.jsonValue(), fc.record({ bid: fc.string(), unique_for: fc.integer(), track: fc.integer(), expires_in: fc.integer() })),
      failure: fc.jsonValue(),
      wid: fc.string(),
      cmd: fc.constantFrom('clear', 'kill', 'discard', 'requeue', 'x'),
      target: fc.constantFrom('retries', 'scheduled', 'dead', 'x'),
      filter: fc.jsonValue(),
      backtrace: fc.oneof(fc.array(fc.string()), fc.integer()),
    },
    { requiredKeys: [] },
  ),
  fc.array(fc.record({ jid: fc.string({ minLength: 8 }), jobtype: fc.string(), args: fc.jsonValue() }, { requiredKeys: [] })),
);

describe('in-memory server: fuzzing', () => {
  it('answers every random byte line with exactly one reply and keeps serving a second client', async (t) => {
    const { connect, server } = await setup(t, { enterprise: true });
    const fuzzed = await connect({ wid: 'fuzz-worker' });
    const bystander = await connect();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...VERBS), fc.constantFrom(...SUBS), fc.uint8Array({ maxLength: 200 }), async (verb, sub, bytes) => {
        const line = `${verb} ${sub}${noNewline(bytes)}`;
        const reply = await fuzzed.call(line);
        assert.match(reply, /^([+-][^\r\n]*|\$\d+\r\n[\s\S]*)\r\n$/, line);
      }),
      { numRuns: 300 },
    );
    assert.equal(await bystander.call('FLUSH'), '+OK\r\n');
    assert.equal(server.stats().connections, 3);
  });

  it('answers random valid-but-wrong JSON for every command with one reply, never crashing', async (t) => {
    const { connect } = await setup(t, { enterprise: true });
    const fuzzed = await connect({ wid: 'fuzz-worker' });
    const bystander = await connect();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('PUSH', 'PUSHB', 'ACK', 'FAIL', 'BEAT', 'MUTATE', 'BATCH NEW', 'TRACK SET'), wrongJson, async (verb, payload) => {
        const reply = await fuzzed.call(`${verb} ${JSON.stringify(payload)}`);
        assert.match(reply, /^([+-][^\r\n]*|\$\d+\r\n[\s\S]*)\r\n$/);
      }),
      { numRuns: 400 },
    );
    assert.equal(await bystander.call('INFO').then((r) => r.startsWith('$')), true);
  });

  it('survives random bytes before the handshake and clients that vanish mid-command', async (t) => {
    const { server, client } = await setup(t);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), async (bytes) => {
        const raw = await RawClient.open(server.port);
        raw.write(Buffer.from(bytes));
        raw.close();
        await raw.closed();
      }),
      { numRuns: 60 },
    );
    await server.until.connections(1);
    assert.equal(await client.call('FLUSH'), '+OK\r\n');
  });
});

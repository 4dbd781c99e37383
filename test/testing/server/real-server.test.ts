// Transcripts of the behaviours where the real Faktory 1.9.4 was found to differ from a naive
// server (issue 12): each reply is the real server's, byte for byte.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { job, RawClient } from './raw-client.js';
import { setup } from './setup.js';

const push = (fields: Record<string, unknown>): string => `PUSH ${JSON.stringify(fields)}`;
const bulkJson = (raw: string): Record<string, unknown> => JSON.parse(raw.slice(raw.indexOf('\r\n') + 2, -2)) as Record<string, unknown>;
const LAYOUT = '"2006-01-02T15:04:05.999999999Z07:00"';

/** Sends each line and expects `-ERR <its error>`. */
async function answersErrors(client: RawClient, errors: Readonly<Record<string, string>>): Promise<void> {
  for (const [line, error] of Object.entries(errors)) assert.equal(await client.call(line), `-ERR ${error}\r\n`, line);
}

async function info(client: RawClient): Promise<Record<string, unknown>> {
  return bulkJson(await client.call('INFO'))['faktory'] as Record<string, unknown>;
}

describe('as Faktory 1.9.4: FAIL counts as processed', () => {
  it('adds every FAIL to total_processed and total_failures, an ACK to total_processed only', async (t) => {
    const { client } = await setup(t);
    await client.call(push(job({ jid: 'counted-1' })));
    await client.call(push(job({ jid: 'counted-2', retry: 0 })));
    await client.call('FETCH default');
    await client.call('FETCH default');
    assert.equal(await client.call('FAIL {"jid":"counted-2"}'), '+OK\r\n');
    assert.equal(await client.call('ACK {"jid":"counted-1"}'), '+OK\r\n');
    assert.equal(await client.call('FAIL {"jid":"counted-9"}'), '-ERR Job not found counted-9\r\n');
    const { total_processed, total_failures } = await info(client);
    assert.deepEqual({ total_processed, total_failures }, { total_processed: 2, total_failures: 1 });
  });
});

describe('as Faktory 1.9.4: JSON is decoded as Go does', () => {
  it('matches object keys to fields case-insensitively, the last duplicate winning', async (t) => {
    const { client, server } = await setup(t);
    assert.equal(await client.call('PUSH {"JID":"upper-case-1","JobType":"T","ARGS":[1],"Queue":"q","jobtype":"Last"}'), '+OK\r\n');
    assert.deepEqual(server.queue('q').map((j) => [j.jid, j.jobtype, j.args]), [['upper-case-1', 'Last', [1]]]);
    const hello = await RawClient.open(server.port);
    await hello.raw();
    assert.equal(await hello.call('HELLO {"V":2,"WID":"upper-wid","Hostname":"h","PID":7}'), '+OK\r\n');
    assert.equal(await hello.call('BEAT {"WID":"upper-wid"}'), '+OK\r\n');
    assert.deepEqual(server.workers().map((w) => [w.wid, w.hostname, w.pid, w.v]), [['upper-wid', 'h', 7, 2]]);
    hello.close();
  });

  it('counts a jid in UTF-8 bytes: four é are 8 bytes and enough, three are not', async (t) => {
    const { client } = await setup(t);
    assert.equal(await client.call(push(job({ jid: 'éééé' }))), '+OK\r\n');
    assert.equal(await client.call(push(job({ jid: 'ééé' }))), '-ERR jobs must have a reasonable jid parameter\r\n');
  });

  it("gives Go's syntax error texts, naming where the scanner stopped", async (t) => {
    const { client } = await setup(t);
    await answersErrors(client, {
      'PUSH {nope': "invalid JSON: invalid character 'n' looking for beginning of object key string",
      [`${push(job({ jid: 'trailing-1' }))} x`]: "invalid JSON: invalid character 'x' after top-level value",
      'PUSHB [nope': "invalid JSON: invalid character 'o' in literal null (expecting 'u')",
      'PUSH {"jid" "x"}': "invalid JSON: invalid character '\"' after object key",
      'PUSH {"jid":"x" "y"}': "invalid JSON: invalid character '\"' after object key:value pair",
      'PUSH {"args":[1 2]}': "invalid JSON: invalid character '2' after array element",
      'PUSH {"args":[01]}': "invalid JSON: invalid character '1' after array element",
      'PUSH {"args":[1.]}': "invalid JSON: invalid character ']' after decimal point in numeric literal",
      'PUSH {"args":[1e]}': "invalid JSON: invalid character ']' in exponent of numeric literal",
      'PUSH {"args":[-x]}': "invalid JSON: invalid character 'x' in numeric literal",
      'PUSH {"args":["\\q"]}': "invalid JSON: invalid character 'q' in string escape code",
      'PUSH {"args":["\\u12x4"]}': "invalid JSON: invalid character 'x' in \\u hexadecimal character escape",
      'PUSH {"args":[é]}': "invalid JSON: invalid character 'Ã' looking for beginning of value",
      "PUSH {'jid':1}": "invalid JSON: invalid character '\\'' looking for beginning of object key string",
      'PUSH {"jid":"abc': 'invalid JSON: unexpected end of JSON input',
      'PUSH ': 'invalid JSON: unexpected end of JSON input',
      'MUTATE {nope': "invalid character 'n' looking for beginning of object key string",
    });
  });

  it('allows 10,000 nested arrays and objects in all, as Go does, and refuses one more with exceeded max depth', async (t) => {
    const { client } = await setup(t);
    const nested = (depth: number): string => `{"jid":"deep-nest","jobtype":"T","args":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    assert.equal(await client.call(`PUSH ${nested(9_999)}`), '+OK\r\n');
    const fetched = await client.call('FETCH default');
    assert.ok(fetched.endsWith(`"args":${'['.repeat(9_999)}${']'.repeat(9_999)}}\r\n`), 'written back as deep as it came');
    assert.equal(await client.call(`PUSH ${nested(10_000)}`), "-ERR invalid JSON: invalid character '[' exceeded max depth\r\n");
  });

  it("gives Go's type error texts: the first wrong value in input order, the literal only for numbers that do not fit, the field path", async (t) => {
    const { client } = await setup(t);
    await answersErrors(client, {
      'PUSH {"jid":12345678,"jobtype":"T","args":[]}': 'invalid JSON: json: cannot unmarshal number into Go struct field Job.jid of type string',
      'PUSH {"args":"x","jid":5}': 'invalid JSON: json: cannot unmarshal string into Go struct field Job.args of type []interface {}',
      'PUSH {"jid":"retry-huge","retry":1e20}': 'invalid JSON: json: cannot unmarshal number 1e20 into Go struct field Job.retry of type int',
      'PUSH {"jid":"bad-custom","custom":[1]}': 'invalid JSON: json: cannot unmarshal array into Go struct field Job.custom of type map[string]interface {}',
      'PUSH {"failure":{"backtrace":"x"}}': 'invalid JSON: json: cannot unmarshal string into Go struct field Failure.failure.backtrace of type []string',
      'PUSH []': 'invalid JSON: json: cannot unmarshal array into Go value of type client.Job',
      'PUSHB {}': 'invalid JSON: json: cannot unmarshal object into Go value of type []client.Job',
      'MUTATE {"cmd":"kill","target":"dead","filter":{"jids":"x"}}': 'json: cannot unmarshal string into Go struct field JobFilter.filter.jids of type []string',
      'MUTATE {"cmd":"kill","target":"dead","filter":"x"}': 'json: cannot unmarshal string into Go struct field Operation.filter of type client.JobFilter',
      'MUTATE {"cmd":1,"target":"dead"}': 'json: cannot unmarshal number into Go struct field Operation.cmd of type client.MutateCommand',
    });
  });

  it('decodes escapes as Go (a lone surrogate is U+FFFD) and writes maps with sorted keys', async (t) => {
    const { client } = await setup(t);
    await client.call('PUSH {"jid":"\\u0041BCDEFGH","jobtype":"T","args":["\\ud800x",{"b":1,"a":{"d":2,"c":3}}],"custom":{"z":1,"y":2}}');
    const fetched = await client.call('FETCH default');
    assert.match(fetched, /"custom":\{"y":2,"z":1\}/);
    assert.match(fetched, /"jid":"ABCDEFGH"/);
    assert.match(fetched, /"args":\["\ufffdx",\{"a":\{"c":3,"d":2\},"b":1\}\]/);
  });
});

describe('as Faktory 1.9.4: times are parsed as Go does', () => {
  it('answers a bad at with time.Parse error text and refuses a lower-case t or z', async (t) => {
    const { client, server } = await setup(t);
    const replies: Record<string, string> = {
      soon: `"soon": parsing time "soon" as ${LAYOUT}: cannot parse "soon" as "2006"`,
      '2000-01-01t00:00:00z': `"2000-01-01t00:00:00z": parsing time "2000-01-01t00:00:00z" as ${LAYOUT}: cannot parse "t00:00:00z" as "T"`,
      '2000-01-01T00:00:00z': `"2000-01-01T00:00:00z": parsing time "2000-01-01T00:00:00z" as ${LAYOUT}: cannot parse "z" as "Z07:00"`,
      '2000-02-30T00:00:00Z': '"2000-02-30T00:00:00Z": parsing time "2000-02-30T00:00:00Z": day out of range',
      'é\t': `"é\\t": parsing time "\\xc3\\xa9\\x09" as ${LAYOUT}: cannot parse "\\xc3\\xa9\\x09" as "2006"`,
    };
    for (const [at, error] of Object.entries(replies)) {
      assert.equal(await client.call(push(job({ at }))), `-ERR invalid timestamp for 'at': ${error}\r\n`, at);
    }
    assert.equal(await client.call(push(job({ jid: 'comma-fraction', at: '2000-01-01T00:00:00,5+01:00' }))), '+OK\r\n');
    assert.deepEqual(server.queue('default').map((j) => j.jid), ['comma-fraction']);
  });
});

describe('as Faktory 1.9.4: FAIL and BEAT payloads, and the failure record', () => {
  it('answers a FAIL or BEAT payload that does not decode with invalid FAIL / invalid BEAT and the payload', async (t) => {
    const { client } = await setup(t, {}, { wid: 'beat-payloads' });
    assert.equal(await client.call('FAIL {"jid":"x","message":5}'), '-ERR invalid FAIL {"jid":"x","message":5}\r\n');
    assert.equal(await client.call('FAIL '), '-ERR invalid FAIL \r\n');
    assert.equal(await client.call('BEAT {"wid":"beat-payloads","current_state":1}'), '-ERR invalid BEAT {"wid":"beat-payloads","current_state":1}\r\n');
    assert.equal(await client.call('BEAT {nope'), '-ERR invalid BEAT {nope\r\n');
  });

  it('trims white space around errtype and message before cutting them to 100 and 1000 bytes; blank ones become unknown', async (t) => {
    const { client, server } = await setup(t);
    await client.call(push(job({ jid: 'trimmed-1' })));
    await client.call(push(job({ jid: 'blank-001' })));
    await client.call('FETCH default');
    await client.call('FETCH default');
    const errtype = `\u00a0 ${'E'.repeat(99)}é  `;
    await client.call(`FAIL ${JSON.stringify({ jid: 'trimmed-1', errtype, message: `\t${'M'.repeat(1500)}\n` })}`);
    await client.call(`FAIL ${JSON.stringify({ jid: 'blank-001', errtype: '   ', message: ' \t\u3000' })}`);
    const failures = new Map(server.retries().map((r) => [r.job.jid, r.job.failure]));
    assert.equal(failures.get('trimmed-1')?.errtype, `${'E'.repeat(99)}\ufffd`, 'é cut after its first byte');
    assert.equal(failures.get('trimmed-1')?.message, 'M'.repeat(1000));
    assert.deepEqual([failures.get('blank-001')?.errtype, failures.get('blank-001')?.message], ['unknown', 'unknown']);
  });

  it('sets remaining from the job retry (-1 stays -1), takes one per later failure, keeps next_at when the job dies', async (t) => {
    const { client, server, clock } = await setup(t, { random: () => 0 });
    await client.call(push(job({ jid: 'dies-now1', retry: -1 })));
    await client.call('FETCH default');
    await client.call('FAIL {"jid":"dies-now1"}');
    assert.deepEqual(server.dead()[0]?.job.failure, { retry_count: 0, remaining: -1, failed_at: '2030-01-01T00:00:00Z', message: 'unknown', errtype: 'unknown' });
    await client.call(push(job({ jid: 'twice-001', retry: 1 })));
    await client.call('FETCH default');
    await client.call('FAIL {"jid":"twice-001"}');
    const firstNextAt = server.retries()[0]?.job.failure?.next_at;
    assert.equal(firstNextAt, '2030-01-01T00:00:15Z');
    clock.advance(20_000);
    await client.call('FETCH default');
    await client.call('FAIL {"jid":"twice-001","errtype":"Again"}');
    const dead = server.dead().find((d) => d.job.jid === 'twice-001')?.job.failure;
    assert.deepEqual(dead, { retry_count: 1, remaining: 0, failed_at: '2030-01-01T00:00:00Z', next_at: firstNextAt, message: 'unknown', errtype: 'Again' });
  });

  it('carries on a failure object the client pushed: the next FAIL adds to it', async (t) => {
    const { client, server } = await setup(t);
    await client.call(push(job({ jid: 'pushed-f1', failure: { retry_count: 5, remaining: 2, failed_at: '2020-01-02T03:04:05Z' } })));
    await client.call('FETCH default');
    await client.call('FAIL {"jid":"pushed-f1","errtype":"E","message":"m"}');
    const failure = server.retries()[0]?.job.failure;
    assert.deepEqual({ ...failure, next_at: undefined }, { retry_count: 6, remaining: 1, failed_at: '2020-01-02T03:04:05Z', next_at: undefined, message: 'm', errtype: 'E' });
  });
});

describe('as Faktory 1.9.4: the handshake', () => {
  it('closes the socket without a reply for a v that is not a uint8 integer, and for HELLO with two spaces', async (t) => {
    const { server } = await setup(t);
    for (const line of ['HELLO {"v":300}', 'HELLO {"v":-1}', 'HELLO {"v":2.0}', 'HELLO  {"v":2}']) {
      const raw = await RawClient.open(server.port);
      t.after(() => {
        raw.close();
      });
      await raw.raw();
      raw.send(line);
      assert.equal(await raw.closed(), '', line);
    }
  });
});

describe('as Faktory 1.9.4: BEAT for a worker that is gone', () => {
  it('answers -ERR unknown worker once every connection of the wid has closed or sent END', async (t) => {
    const { client, server, connect } = await setup(t);
    const closing = await connect({ wid: 'gone-wid' });
    const ending = await connect({ wid: 'ended-wid' });
    const first = await connect({ wid: 'two-conns' });
    await connect({ wid: 'two-conns' });
    closing.close();
    first.close();
    ending.send('END');
    await ending.closed();
    await server.until.connections(2);
    assert.equal(await client.call('BEAT {"wid":"gone-wid"}'), '-ERR unknown worker gone-wid\r\n');
    assert.equal(await client.call('BEAT {"wid":"ended-wid"}'), '-ERR unknown worker ended-wid\r\n');
    assert.equal(await client.call('BEAT {"wid":"two-conns"}'), '+OK\r\n');
  });
});

describe('as Faktory 1.9.4: QUEUE', () => {
  it('does not pause a queue that does not exist yet; REMOVE also un-pauses; LATENCY refuses only a lone *', async (t) => {
    const { client } = await setup(t);
    assert.equal(await client.call('QUEUE PAUSE later'), '+OK\r\n');
    await client.call(push(job({ jid: 'not-paused', queue: 'later' })));
    assert.match(await client.call('FETCH later'), /"jid":"not-paused"/);
    await client.call(push(job({ jid: 'removed-1', queue: 'gone' })));
    await client.call('QUEUE PAUSE gone');
    await client.call('QUEUE REMOVE gone');
    await client.call(push(job({ jid: 'unpaused1', queue: 'gone' })));
    assert.match(await client.call('FETCH gone'), /"jid":"unpaused1"/);
    assert.equal(await client.call('QUEUE LATENCY * q'), '$13\r\n{"*":0,"q":0}\r\n');
    assert.equal(await client.call('QUEUE LATENCY *'), '-ERR QUEUE LATENCY does not support wildcards\r\n');
    assert.equal(await client.call('QUEUE PAUSE '), '+OK\r\n', 'one empty name');
  });
});

describe('as Faktory 1.9.4: MUTATE and the sorted sets', () => {
  const FUTURE = '2099-01-01T00:00:00Z';

  it('requeues a scheduled job as stored, without enqueued_at', async (t) => {
    const { client } = await setup(t);
    await client.call(push(job({ jid: 'requeue-1', at: FUTURE })));
    assert.equal(await client.call('MUTATE {"cmd":"requeue","target":"scheduled","filter":{"jids":["requeue-1"]}}'), '+OK\r\n');
    const fetched = bulkJson(await client.call('FETCH default'));
    assert.equal(fetched['at'], FUTURE);
    assert.equal('enqueued_at' in fetched, false);
  });

  it('refuses to requeue a job whose queue name is invalid and leaves it where it was', async (t) => {
    const { client, server } = await setup(t);
    await client.call(push(job({ jid: 'bad-queue', at: FUTURE, queue: 'bad queue!' })));
    assert.equal(await client.call('MUTATE {"cmd":"requeue","target":"scheduled","filter":{}}'), '-ERR queue names must match \\A[a-zA-Z0-9._-]+\\z\r\n');
    assert.deepEqual(server.scheduled().map((s) => s.job.jid), ['bad-queue']);
  });

  it('stores a scheduled job pushed twice with the same jid and different payloads twice', async (t) => {
    const { client, server } = await setup(t);
    await client.call(push(job({ jid: 'same-jid1', at: FUTURE, args: [1] })));
    await client.call(push(job({ jid: 'same-jid1', at: FUTURE, args: [2] })));
    assert.deepEqual(server.scheduled().map((s) => s.job.args), [[1], [2]]);
    assert.deepEqual((await info(client))['sets'], { dead: 0, retries: 0, scheduled: 2, working: 0 });
  });
});

describe('as Faktory 1.9.4: lines', () => {
  it('keeps a CR inside a line in the unknown command reply', async (t) => {
    const { client } = await setup(t);
    // read as raw bytes: a RESP parser takes the CR for the end of the line, as it would with the real server
    client.write('FLUSH\rX\r\nEND\r\n');
    assert.equal(await client.closed(), '-ERR unknown command FLUSH\rX\r\n');
  });
});

// Type tests: `tsc -p .` checks this file; each `@ts-expect-error` line must fail to compile.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { from, type Observable } from 'rxjs';
import { createClient, job, pushJobs, type JobOf, type PushResult } from '../../src/streams/index.js';
import { first } from './await.js';
import { FakePool } from './fake-pool.js';

type Jobs = {
  SendEmail: [to: string, templateId: number];
  Resize: [url: string, sizes: number[]];
};

const client = createClient<Jobs>({ pool: new FakePool() });
const untyped = createClient({ pool: new FakePool() });

export function typeChecks(): unknown[] {
  // Correct typed pushes compile.
  const jid: Observable<string> = client.push(job('SendEmail', 'a@b.c', 7).queue('critical'));
  void client.push({ jid: 'abcdefgh1', jobtype: 'Resize', args: ['u', [1, 2]] });
  void client.pushBulk([job('SendEmail', 'a@b.c', 7), job('Resize', 'u', [1])]);
  void from([job('SendEmail', 'x@y.z', 1)]).pipe(pushJobs(client));

  // @ts-expect-error: templateId must be a number
  void client.push(job('SendEmail', 'a@b.c', '7'));
  // @ts-expect-error: a missing argument
  void client.push(job('SendEmail', 'a@b.c'));
  // @ts-expect-error: an extra argument
  void client.push(job('SendEmail', 'a@b.c', 7, true));
  // @ts-expect-error: an unknown jobtype
  void client.push(job('Unknown', 1));
  // @ts-expect-error: a payload whose args do not match its jobtype
  void client.push({ jid: 'abcdefgh1', jobtype: 'Resize', args: ['u', 'not sizes'] });
  // @ts-expect-error: one bad job in a bulk push
  void client.pushBulk([job('SendEmail', 'a@b.c', 7), job('Resize', 'u', 1)]);

  // Fetched jobs are the union of the map's jobs; narrowing on jobtype narrows args.
  const fetched: Observable<JobOf<Jobs> | null> = client.fetch('default');
  const narrow = (j: JobOf<Jobs> | null): unknown[] => {
    if (j?.jobtype !== 'SendEmail') return [];
    const templateId: number = j.args[1];
    // @ts-expect-error: args[0] of SendEmail is a string
    const wrong: number = j.args[0];
    return [templateId, wrong];
  };

  // pushJobs results carry the typed job.
  const results: Observable<PushResult<JobOf<Jobs>, unknown>> = from([job('Resize', 'u', [1])]).pipe(pushJobs(client));

  // Untyped use: any jobtype with JSON arguments.
  void untyped.push(job('Anything', 1, 'two', { three: [3] }, null));
  // @ts-expect-error: a function is not a JSON argument
  void untyped.push(job('Anything', () => 1));

  // BEAT replies are the three states.
  const beat: Observable<'ok' | 'quiet' | 'terminate'> = client.beat();
  return [jid, fetched, narrow, results, beat];
}

describe('typed jobs', () => {
  it('pushes a typed job through a typed client', async () => {
    assert.equal(await first(client.push(job('SendEmail', 'a@b.c', 7).jid('abcdefgh1'))), 'abcdefgh1');
  });
});

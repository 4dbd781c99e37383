import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client as FwClient, Worker as FwWorker } from 'faktory-worker';
import { createClient, job, type FaktoryClient } from '../../src/streams/index.js';
import { startServer, type FaktoryServer } from '../../src/testing/index.js';
import { done, first } from './await.js';

interface SeenJob {
  readonly jid: string;
  readonly jobtype: string;
  readonly args: unknown[];
  readonly custom?: Record<string, unknown>;
  readonly at?: string;
}

describe('interop with the faktory-worker package', () => {
  let server: FaktoryServer;
  let client: FaktoryClient;

  before(async () => {
    server = await startServer();
    client = createClient({ url: server.url, size: 1 });
  });
  after(async () => {
    await done(client.close());
    await server.close();
  });

  it('runs jobs pushed by faktory-rx in a faktory-worker Worker, with args, custom fields and scheduling intact', async () => {
    const queue = `interop-rx-${process.pid}`;
    const seen: SeenJob[] = [];
    let allSeen!: () => void;
    const twoJobs = new Promise<void>((resolve) => {
      allSeen = resolve;
    });
    const worker = new FwWorker({
      url: server.url,
      queues: [queue],
      concurrency: 1,
      middleware: [
        async (ctx: { job: unknown }, next: () => Promise<unknown>) => {
          seen.push(ctx.job as SeenJob);
          await next();
          if (seen.length === 2) allSeen();
        },
      ],
      registry: { Now: () => undefined, Later: () => undefined },
    });
    worker.on('error', () => undefined);

    const nowJid = await first(client.push(job('Now', 'a@b.c', 7, { nested: [1, null, { x: true }] }).queue(queue).custom({ tenant: 'acme', n: 1 })));
    const at = new Date(Date.now() + 500);
    const laterJid = await first(client.push(job('Later', 'x').queue(queue).at(at)));
    assert.ok(server.scheduled().some((entry) => entry.job.jid === laterJid), 'the scheduled job waits in the scheduled set');

    await worker.work();
    try {
      await twoJobs;
    } finally {
      await worker.stop();
    }
    const byJid = new Map(seen.map((j) => [j.jid, j]));
    assert.deepEqual(byJid.get(nowJid)?.args, ['a@b.c', 7, { nested: [1, null, { x: true }] }]);
    assert.deepEqual(byJid.get(nowJid)?.custom, { tenant: 'acme', n: 1 });
    assert.equal(byJid.get(laterJid)?.jobtype, 'Later');
    assert.equal(byJid.get(laterJid)?.at, at.toISOString());
    await server.until.processed(2);
  });

  it('fetches jobs pushed by a faktory-worker Client', async () => {
    const queue = `interop-fw-${process.pid}`;
    const fw = new FwClient({ url: server.url });
    const pushedJob = fw.job('FromNode', 1, { b: [2] });
    pushedJob.queue = queue;
    pushedJob.custom = { origin: 'faktory-worker' };
    const jid = await pushedJob.push();
    await fw.close();

    const fetched = await first(client.fetch(queue));
    assert.ok(fetched !== null);
    assert.equal(fetched.jid, jid);
    assert.equal(fetched.jobtype, 'FromNode');
    assert.deepEqual(fetched.args, [1, { b: [2] }]);
    assert.deepEqual(fetched.custom, { origin: 'faktory-worker' });
    await done(client.ack(jid));
  });
});

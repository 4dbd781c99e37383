import { after, afterEach, before } from 'node:test';
import { firstValueFrom } from 'rxjs';
import { startServer, type FaktoryServer } from '../../src/testing/server/index.js';
import { createWorker, type Worker, type WorkerOptions } from '../../src/worker/index.js';

/** A fresh in-memory server for one test file, and workers that never outlive their test. */
export interface ServerFixture {
  /** The file's server (started in `before`, closed in `after`). */
  readonly server: FaktoryServer;
  /** A queue name no other test uses. */
  readonly uniqueQueue: () => string;
  /** Pushes `count` jobs straight into the server; returns their jids in order. */
  readonly pushJobs: (queue: string, count: number, jobtype?: string, extra?: object) => string[];
  /**
   * A worker on `queue` against the server. Whatever the test does (or fails to do), the worker
   * is stopped forcefully after the test, so a failed assertion cannot leave it running.
   */
  readonly worker: (queue: string, extra: Partial<WorkerOptions>) => Worker;
}

/** Registers the fixture's hooks in the calling test file. */
export function useServerFixture(): ServerFixture {
  let server: FaktoryServer | undefined;
  let queueSeq = 0;
  const workers: Worker[] = [];
  before(async () => {
    server = await startServer({ port: 0 });
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => firstValueFrom(w.stop({ force: true }), { defaultValue: undefined })));
  });
  after(async () => {
    await server?.close();
  });
  const fixture: ServerFixture = {
    get server(): FaktoryServer {
      if (server === undefined) throw new Error('the server starts in before()');
      return server;
    },
    uniqueQueue: () => `q${process.pid}-${queueSeq++}`,
    pushJobs: (queue, count, jobtype = 'Work', extra = {}) => {
      const jids: string[] = [];
      for (let i = 0; i < count; i++) {
        const jid = `${queue}-${String(i).padStart(6, '0')}`;
        fixture.server.push({ jid, jobtype, args: [i], queue, ...extra });
        jids.push(jid);
      }
      return jids;
    },
    worker: (queue, extra) => {
      const worker = createWorker({ connection: { url: fixture.server.url }, queues: [queue], stallWarningMs: false, handlers: { Work: () => undefined }, ...extra });
      workers.push(worker);
      return worker;
    },
  };
  return fixture;
}

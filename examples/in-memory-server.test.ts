/**
 * A test of a worker against the in-memory Faktory server: real sockets on a free loopback port,
 * the real protocol, no Docker. The server's inspection methods (`queue`, `retries`, `dead`,
 * `working`) and its `until.*` conditions let the test await outcomes instead of sleeping.
 *
 *   node --import tsx --test examples/in-memory-server.test.ts
 *
 * In your code, import from 'faktory-rx' and 'faktory-rx/testing'.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { lastValueFrom, toArray } from 'rxjs';
import { createClient, createWorker, job, type WorkerEvent } from '../src/index.js';
import { startServer, type FaktoryServer } from '../src/testing/index.js';

type Jobs = { SendInvoice: [invoiceId: number, email: string] };

class MailboxFull extends Error {
  override name = 'MailboxFull';
}

describe('the invoice worker', () => {
  let server: FaktoryServer;
  before(async () => {
    server = await startServer(); // 127.0.0.1, a free port
  });
  after(async () => {
    await server.close();
  });

  it('sends every invoice once and leaves a failing one in the retries set with its error', async () => {
    const sent: number[] = [];
    const client = createClient<Jobs>({ url: server.url });
    await lastValueFrom(
      client.pushBulk([1, 2, 3, 4].map((id) => job('SendInvoice', id, id === 3 ? 'full@example.com' : `c${id}@example.com`).queue('invoices'))),
      { defaultValue: [] },
    );

    const worker = createWorker<Jobs>({
      connection: { url: server.url },
      queues: ['invoices'],
      stallWarningMs: false,
      handlers: {
        SendInvoice: ([invoiceId, email]) => {
          if (email.startsWith('full@')) throw new MailboxFull(`mailbox of ${email} is full`);
          sent.push(invoiceId);
        },
      },
    });
    const events = lastValueFrom(worker.pipe(toArray()), { defaultValue: [] as WorkerEvent[] });

    await server.until.processed(3); // three ACKs
    await server.until.retries(1); // and one FAIL, now waiting for its retry
    await lastValueFrom(worker.stop(), { defaultValue: undefined });
    await lastValueFrom(client.close(), { defaultValue: undefined });

    assert.deepEqual([...sent].sort(), [1, 2, 4]);
    const [retry] = server.retries();
    assert.equal(retry?.job.args[0], 3);
    assert.equal(retry.job.failure?.errtype, 'MailboxFull');
    assert.equal(retry.job.failure.message, 'mailbox of full@example.com is full');
    assert.equal(server.queue('invoices').length, 0);
    assert.equal((await events).at(-1)?.type, 'stopped');
    await server.until.connections(0); // the worker and the client closed every socket
  });
});

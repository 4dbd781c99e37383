/**
 * A producer: typed jobs, the job builder, scheduling and bulk push.
 *
 *   npx tsx examples/producer.ts          (FAKTORY_URL=tcp://localhost:7419 for a real Faktory)
 *
 * In your code, import from 'faktory-rx' instead of '../src/index.js'.
 */
import { catchError, concat, lastValueFrom, of, tap } from 'rxjs';
import { createClient, InvalidJobError, job } from '../src/index.js';
import { useFaktory } from './support/local-faktory.js';

// The job map: each jobtype with its argument tuple. A `type` alias (not an `interface`), so it
// fits the client's `Record` constraint. Pushing `job('SendWelcomeEmail', 'oops')` does not compile.
type Jobs = {
  SendWelcomeEmail: [userId: number, email: string];
  ResizeAvatar: [userId: number, sizes: number[]];
  WeeklyDigest: [userId: number];
};

const faktory = await useFaktory();
// Nothing connects until the first command is subscribed. Every command is a cold Observable.
const client = createClient<Jobs>({ url: faktory.url });

// One job: `push` emits its jid once the server said +OK.
const welcome$ = client
  .push(job('SendWelcomeEmail', 42, 'ada@example.com').queue('examples-mail').retry(5))
  .pipe(
    tap((jid) => {
      console.log(`pushed SendWelcomeEmail ${jid}`);
    }),
  );

// Scheduled jobs: `.in(ms)` from now, or `.at(date)`. The server holds them until they are due.
const later$ = concat(
  client.push(job('WeeklyDigest', 42).queue('examples').in(60 * 60_000)),
  client.push(job('WeeklyDigest', 43).queue('examples').at(new Date(Date.now() + 24 * 3_600_000))),
).pipe(
  tap((jid) => {
    console.log(`scheduled WeeklyDigest ${jid}`);
  }),
);

// Many jobs in one PUSHB round trip; emits the jobs the server refused (none here).
const users = [1, 2, 3, 4, 5];
const bulk$ = client
  .pushBulk(users.map((id) => job('ResizeAvatar', id, [64, 128, 256]).queue('examples')))
  .pipe(
    tap((rejected) => {
      console.log(`bulk-pushed ${users.length} ResizeAvatar jobs, ${rejected.length} rejected`);
    }),
  );

// Jobs are validated before anything is sent: a bad queue name is an InvalidJobError naming the field.
const invalid$ = client.push(job('WeeklyDigest', 7).queue('no spaces allowed')).pipe(
  catchError((error: unknown) => {
    if (error instanceof InvalidJobError) console.log(`refused before sending: ${error.message}`);
    return of(undefined);
  }),
);

// INFO: what the server holds now.
const info$ = client.info().pipe(
  tap((info) => {
    const { queues, sets } = info.faktory;
    console.log(`server: queues ${JSON.stringify(queues)}, scheduled ${sets.scheduled}`);
  }),
);

// Run the commands one after another, then close the client (graceful: sends END).
await lastValueFrom(concat(welcome$, later$, bulk$, invalid$, info$, client.close()), { defaultValue: undefined });
await faktory.close();
console.log('producer done');

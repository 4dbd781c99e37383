import assert from 'node:assert/strict';
import { TestScheduler } from 'rxjs/testing';
import type { Observable } from 'rxjs';
import type { AnyJobs, JobOf, JobPayload } from '../../src/streams/types.js';
import type { WorkerEvent } from '../../src/worker/index.js';

export type Jobs = AnyJobs;

/** A job payload for scripted clients. */
export function makeJob(jid: string, jobtype = 'Echo', extra: Partial<JobPayload> = {}): JobOf {
  return { jid, jobtype, args: [jid], queue: 'default', ...extra };
}

export function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => {
    assert.deepEqual(actual, expected);
  });
}

/** Subscribes and records every event with the frame it arrived at. */
export function record(scheduler: TestScheduler, worker$: Observable<WorkerEvent>): { events: [number, WorkerEvent][]; completedAt: () => number | undefined } {
  const events: [number, WorkerEvent][] = [];
  let completedAt: number | undefined;
  worker$.subscribe({
    next: (e) => events.push([scheduler.now(), e]),
    complete: () => {
      completedAt = scheduler.now();
    },
  });
  return { events, completedAt: () => completedAt };
}

export function ofType<T extends WorkerEvent['type']>(events: [number, WorkerEvent][], type: T): [number, Extract<WorkerEvent, { type: T }>][] {
  return events.filter((entry): entry is [number, Extract<WorkerEvent, { type: T }>] => entry[1].type === type);
}

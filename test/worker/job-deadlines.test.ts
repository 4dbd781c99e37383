import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualTimeScheduler } from 'rxjs';
import { JobDeadlines, type Deadline } from '../../src/worker/job-deadlines.js';
import { testScheduler } from './helpers.js';

describe('JobDeadlines', () => {
  it('expires each deadline on time on one timer, and never one that was removed', () => {
    const scheduler = testScheduler();
    const expired: [string, number][] = [];
    let timers = 0;
    scheduler.run(() => {
      const counting = {
        now: () => scheduler.now(),
        schedule: (...args: Parameters<typeof scheduler.schedule>) => {
          timers++;
          return scheduler.schedule(...args);
        },
      };
      const deadlines = new JobDeadlines(counting);
      const make = (name: string, atMs: number) => ({ atMs, onExpire: () => expired.push([name, scheduler.now()]) });
      const a = make('a', 100);
      const jobs = [a, make('b', 200), make('c', 300)];
      for (const d of jobs) deadlines.add(d);
      deadlines.remove(a);
      scheduler.flush();
      deadlines.close();
    });
    assert.deepEqual(expired, [['b', 200], ['c', 300]]);
    // One timer armed at the first add, re-armed when it fired (at 100, then 200): three in all, not one per add and remove.
    assert.equal(timers, 3);
  });
});

/** A virtual-time scheduler that counts the timers it was asked for. */
function countingScheduler(): { scheduler: VirtualTimeScheduler; timers: () => number } {
  const scheduler = new VirtualTimeScheduler();
  let timers = 0;
  const schedule = scheduler.schedule.bind(scheduler);
  scheduler.schedule = ((...args: Parameters<VirtualTimeScheduler['schedule']>) => {
    timers++;
    return schedule(...args);
  }) as VirtualTimeScheduler['schedule'];
  return { scheduler, timers: () => timers };
}

describe('per-job state stays bounded over many jobs', () => {
  it('keeps no deadline of 10,000 jobs that finished in time, and sets about one timer per timeout period', () => {
    const { scheduler, timers } = countingScheduler();
    const deadlines = new JobDeadlines(scheduler);
    const timeoutMs = 1_000;
    let expired = 0;
    for (let i = 0; i < 10_000; i++) {
      // One job per virtual millisecond, each finishing before its limit.
      const deadline: Deadline = { atMs: scheduler.now() + timeoutMs, onExpire: () => expired++ };
      deadlines.add(deadline);
      assert.ok(deadlines.size <= 1);
      deadlines.remove(deadline);
      scheduler.maxFrames = scheduler.now() + 1;
      scheduler.flush();
      scheduler.frame = scheduler.maxFrames;
    }
    assert.equal(deadlines.size, 0);
    assert.equal(expired, 0);
    assert.ok(timers() <= 10_000 / timeoutMs + 2, `${timers()} timers for 10,000 jobs`);
    scheduler.maxFrames = Number.POSITIVE_INFINITY;
    scheduler.flush();
    assert.equal(deadlines.armed, false, 'a timer stays armed with no deadline left');
  });
});

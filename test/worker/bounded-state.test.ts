import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualTimeScheduler } from 'rxjs';
import { JobDeadlines, type Deadline } from '../../src/worker/job-deadlines.js';
import { SendBatch } from '../../src/worker/send-batch.js';

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

  it('empties the ACK batch on every turn over 10,000 sends, one timer per turn', () => {
    const { scheduler, timers } = countingScheduler();
    const batch = new SendBatch(scheduler);
    let sent = 0;
    const item = { send: () => sent++ };
    for (let turn = 0; turn < 1_000; turn++) {
      for (let i = 0; i < 10; i++) batch.add(item);
      assert.equal(batch.size, 10);
      scheduler.flush();
      assert.equal(batch.size, 0);
    }
    assert.equal(sent, 10_000);
    assert.equal(timers(), 1_000);
  });
});

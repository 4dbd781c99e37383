import type { Job } from './job.js';

/** An entry of a {@link JobSet}: a job and its score, a time in milliseconds. */
export interface JobSetEntry {
  readonly job: Job;
  readonly atMs: number;
}

interface HeapNode extends JobSetEntry {
  readonly seq: number;
}

/**
 * A set of jobs ordered by a time (the `scheduled` and `retries` sets, where the time is when a
 * job comes due, and `dead`, where it is when the entry expires), keyed by jid like Faktory's
 * sorted sets. A binary heap with lazy deletion gives O(log n) add and take-due.
 */
export class JobSet {
  readonly #byJid = new Map<string, HeapNode>();
  #heap: HeapNode[] = [];
  #seq = 0;

  /** The number of jobs in the set. */
  get size(): number {
    return this.#byJid.size;
  }

  /** Adds a job (replacing one with the same jid) with the given time. */
  add(job: Job, atMs: number): void {
    const node: HeapNode = { job, atMs, seq: this.#seq++ };
    this.#byJid.set(job.jid, node);
    this.#heap.push(node);
    this.#up(this.#heap.length - 1);
  }

  /** Removes the job with this jid; returns it, or `undefined` when absent. */
  remove(jid: string): Job | undefined {
    const node = this.#byJid.get(jid);
    if (node === undefined) return undefined;
    this.#byJid.delete(jid);
    if (this.#byJid.size === 0) this.#heap = [];
    return node.job;
  }

  /** The entry of this jid, if present. */
  get(jid: string): JobSetEntry | undefined {
    return this.#byJid.get(jid);
  }

  /** Removes and returns, earliest first, every job whose time is at or before `nowMs`. */
  takeDue(nowMs: number): Job[] {
    const due: Job[] = [];
    for (let top = this.#heap[0]; top !== undefined && top.atMs <= nowMs; top = this.#heap[0]) {
      this.#pop();
      if (this.#byJid.get(top.job.jid) === top) {
        this.#byJid.delete(top.job.jid);
        due.push(top.job);
      }
    }
    return due;
  }

  /** Every entry, earliest first. */
  entries(): JobSetEntry[] {
    return [...this.#byJid.values()].sort((a, b) => a.atMs - b.atMs || a.seq - b.seq).map(({ job, atMs }) => ({ job, atMs }));
  }

  /** Removes every job. */
  clear(): void {
    this.#byJid.clear();
    this.#heap = [];
  }

  #less(a: HeapNode, b: HeapNode): boolean {
    return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
  }

  #up(index: number): void {
    const heap = this.#heap;
    let i = index;
    const node = heap[i];
    if (node === undefined) return;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = heap[parentIndex];
      if (parent === undefined || !this.#less(node, parent)) break;
      heap[i] = parent;
      i = parentIndex;
    }
    heap[i] = node;
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const leftNode = heap[left];
      const rightNode = heap[right];
      if (leftNode === undefined) break;
      const child = rightNode !== undefined && this.#less(rightNode, leftNode) ? right : left;
      const childNode = heap[child];
      if (childNode === undefined || !this.#less(childNode, last)) break;
      heap[i] = childNode;
      i = child;
    }
    heap[i] = last;
  }
}

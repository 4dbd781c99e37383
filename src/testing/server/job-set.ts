import { encodeJob, type Job } from './job.js';

/** An entry of a {@link JobSet}: a job and its score, a time in milliseconds. */
export interface JobSetEntry {
  readonly job: Job;
  readonly atMs: number;
}

interface HeapNode extends JobSetEntry {
  readonly seq: number;
  /** The job's JSON: the member of the sorted set. */
  readonly member: string;
}

/**
 * A set of jobs ordered by a time (the `scheduled` and `retries` sets, where the time is when a
 * job comes due, and `dead`, where it is when the entry expires). Like Faktory's Redis sorted
 * sets, whose members are the jobs' JSON, two jobs with the same jid but different payloads are
 * two entries, and adding an identical payload again only moves it. A binary heap with lazy
 * deletion gives O(log n) add and take-due.
 */
export class JobSet {
  readonly #byMember = new Map<string, HeapNode>();
  #heap: HeapNode[] = [];
  #seq = 0;

  /** The number of jobs in the set. */
  get size(): number {
    return this.#byMember.size;
  }

  /** Adds a job with the given time (an identical payload already there only gets the new time). */
  add(job: Job, atMs: number): void {
    const node: HeapNode = { job, atMs, seq: this.#seq++, member: encodeJob(job) };
    this.#byMember.set(node.member, node);
    this.#heap.push(node);
    this.#up(this.#heap.length - 1);
  }

  /** Removes an entry (one {@link JobSet.entries} gave); `false` when it is no longer there. */
  remove(entry: JobSetEntry): boolean {
    const node = entry as HeapNode;
    if (this.#byMember.get(node.member) !== node) return false;
    this.#byMember.delete(node.member);
    if (this.#byMember.size === 0) this.#heap = [];
    return true;
  }

  /** Removes and returns, earliest first, every job whose time is at or before `nowMs`. */
  takeDue(nowMs: number): Job[] {
    const due: Job[] = [];
    for (let top = this.#heap[0]; top !== undefined && top.atMs <= nowMs; top = this.#heap[0]) {
      this.#pop();
      if (this.#byMember.get(top.member) === top) {
        this.#byMember.delete(top.member);
        due.push(top.job);
      }
    }
    return due;
  }

  /** Every entry, earliest first. */
  entries(): JobSetEntry[] {
    return [...this.#byMember.values()].sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
  }

  /** Removes every job. */
  clear(): void {
    this.#byMember.clear();
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

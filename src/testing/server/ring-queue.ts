/**
 * A FIFO queue with O(1) `push` and `shift`: an array with a moving head index that is
 * compacted once the consumed prefix is large, so a long queue never pays for `Array#shift`.
 */
export class RingQueue<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  /** The number of items in the queue. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Adds an item at the tail. */
  push(item: T): void {
    this.#items.push(item);
  }

  /** Removes and returns the item at the head, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head++;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** The item at the head without removing it. */
  peek(): T | undefined {
    return this.#items[this.#head];
  }

  /** Removes every item. */
  clear(): void {
    this.#items = [];
    this.#head = 0;
  }

  /** Keeps only the items for which `keep` returns true (O(n)); returns how many were removed. */
  retain(keep: (item: T) => boolean): number {
    const before = this.size;
    this.#items = this.toArray().filter(keep);
    this.#head = 0;
    return before - this.#items.length;
  }

  /** The items from head to tail, as a new array. */
  toArray(): T[] {
    return this.#items.slice(this.#head) as T[];
  }
}

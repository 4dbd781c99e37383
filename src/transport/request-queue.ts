/** Taken entries at the head are compacted away once there are this many (and they are half the array). */
const COMPACT_AFTER = 1_024;

/**
 * @internal A pool's FIFO of requests waiting for a connection, O(1) at both ends however many
 * wait (an array's `shift` copies the whole array once it is large, which made 100,000 waiting
 * pushes quadratic). A request that leaves while waiting (its subscriber unsubscribed: its state is
 * then no longer `waiting`) is dropped lazily when it reaches the head.
 */
export class RequestQueue<Request extends { readonly state: string } = { readonly state: string }> {
  #items: Request[] = [];
  #head = 0;
  #size = 0;
  /** When a request last left this queue for a connection, on the pool's clock. */
  progressAt = Number.NEGATIVE_INFINITY;

  /** Requests waiting. */
  get size(): number {
    return this.#size;
  }

  push(request: Request): void {
    this.#items.push(request);
    this.#size++;
  }

  /** Puts `request` back at the head (it failed before it was written and goes first again). */
  unshift(request: Request): void {
    if (this.#head > 0) this.#items[--this.#head] = request;
    else this.#items.unshift(request);
    this.#size++;
  }

  /** Takes the oldest waiting request. */
  shift(): Request | undefined {
    this.#skipGone();
    const request = this.#items[this.#head];
    if (request === undefined) return undefined;
    this.#head++;
    this.#size--;
    this.#compact();
    return request;
  }

  /** A waiting request left (its state is no longer `waiting`); it is dropped when it reaches the head. */
  left(): void {
    this.#size--;
  }

  /** Takes every waiting request out, oldest first. */
  drain(): Request[] {
    const waiting = this.#items.slice(this.#head).filter((request) => request.state === 'waiting');
    this.#items = [];
    this.#head = 0;
    this.#size = 0;
    return waiting;
  }

  /** Takes out the waiting requests `expired` says yes to, oldest first; the rest keep their order. */
  takeIf(expired: (request: Request) => boolean): Request[] {
    const taken: Request[] = [];
    const kept: Request[] = [];
    for (let i = this.#head; i < this.#items.length; i++) {
      const request = this.#items[i] as Request;
      if (request.state !== 'waiting') continue;
      if (expired(request)) taken.push(request);
      else kept.push(request);
    }
    this.#items = kept;
    this.#head = 0;
    this.#size = kept.length;
    return taken;
  }

  #skipGone(): void {
    const items = this.#items;
    while (this.#head < items.length && (items[this.#head] as Request).state !== 'waiting') this.#head++;
    if (this.#head === items.length && this.#head > 0) {
      this.#items = [];
      this.#head = 0;
    }
  }

  #compact(): void {
    if (this.#head >= COMPACT_AFTER && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}

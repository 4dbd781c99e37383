/**
 * A bounded latency sample: keeps at most `capacity` values (reservoir sampling beyond that)
 * and answers percentiles.
 */
export class LatencySample {
  readonly #values: number[] = [];
  readonly #capacity: number;
  #seen = 0;

  /** @param capacity - the most values kept (default 100,000). */
  constructor(capacity = 100_000) {
    this.#capacity = capacity;
  }

  /** How many values were recorded (not only kept). */
  get count(): number {
    return this.#seen;
  }

  /** Records one value in milliseconds. */
  add(valueMs: number): void {
    this.#seen++;
    if (this.#values.length < this.#capacity) {
      this.#values.push(valueMs);
      return;
    }
    const slot = Math.floor(Math.random() * this.#seen);
    if (slot < this.#capacity) this.#values[slot] = valueMs;
  }

  /** The nearest-rank percentiles (`ps` in 0..100), or `undefined` when nothing was recorded. */
  percentiles(...ps: readonly number[]): number[] | undefined {
    if (this.#values.length === 0) return undefined;
    const sorted = [...this.#values].sort((a, b) => a - b);
    return ps.map((p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0);
  }
}

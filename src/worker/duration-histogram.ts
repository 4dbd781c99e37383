/**
 * The upper bounds, in milliseconds, of the buckets every duration histogram of the metrics counts into
 * (the last, unbounded bucket is implied). They span a 1 ms job to one past the 30-minute default
 * reservation.
 */
export const DURATION_BUCKETS_MS: readonly number[] = Object.freeze([
  1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 300_000, 1_800_000,
]);

/** A histogram's numbers as data. */
export interface DurationSummary {
  /** How many durations were observed. */
  readonly count: number;
  /** Their sum, in milliseconds. */
  readonly sumMs: number;
  /** The longest, in milliseconds (0 when none). */
  readonly maxMs: number;
  /**
   * Estimated percentiles, in milliseconds, interpolated within the buckets of
   * {@link DURATION_BUCKETS_MS} (so exact to a bucket's width); 0 when none.
   */
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  /**
   * Cumulative counts: `buckets[i]` durations were at most `DURATION_BUCKETS_MS[i]`; the
   * unbounded bucket is `count`. The shape of a Prometheus histogram.
   */
  readonly buckets: readonly number[];
}

/**
 * Counts durations into fixed buckets: constant memory and a few comparisons per observation,
 * whatever the number of jobs.
 * @internal
 */
export class DurationHistogram {
  readonly #counts = new Array<number>(DURATION_BUCKETS_MS.length + 1).fill(0);
  #count = 0;
  #sumMs = 0;
  #maxMs = 0;

  observe(ms: number): void {
    const value = ms > 0 ? ms : 0;
    let i = 0;
    while (i < DURATION_BUCKETS_MS.length && value > (DURATION_BUCKETS_MS[i] ?? Infinity)) i++;
    this.#counts[i] = (this.#counts[i] ?? 0) + 1;
    this.#count++;
    this.#sumMs += value;
    if (value > this.#maxMs) this.#maxMs = value;
  }

  summary(): DurationSummary {
    const buckets: number[] = [];
    let running = 0;
    for (let i = 0; i < DURATION_BUCKETS_MS.length; i++) {
      running += this.#counts[i] ?? 0;
      buckets.push(running);
    }
    return {
      count: this.#count,
      sumMs: this.#sumMs,
      maxMs: this.#maxMs,
      p50Ms: this.#quantile(0.5),
      p90Ms: this.#quantile(0.9),
      p99Ms: this.#quantile(0.99),
      buckets,
    };
  }

  #quantile(q: number): number {
    if (this.#count === 0) return 0;
    const rank = q * this.#count;
    let below = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      const inBucket = this.#counts[i] ?? 0;
      if (inBucket > 0 && below + inBucket >= rank) {
        const lower = i === 0 ? 0 : (DURATION_BUCKETS_MS[i - 1] ?? 0);
        // The unbounded bucket ends at the largest value seen.
        const upper = Math.min(DURATION_BUCKETS_MS[i] ?? this.#maxMs, this.#maxMs);
        if (upper <= lower) return upper;
        return lower + ((upper - lower) * (rank - below)) / inBucket;
      }
      below += inBucket;
    }
    return this.#maxMs;
  }
}

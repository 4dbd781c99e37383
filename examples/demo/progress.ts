/**
 * The demo's live counters and the progress line drawn from them.
 */

/** What the demo counts as it runs. */
export class DemoCounters {
  pushed = 0;
  pushFailed = 0;
  fetched = 0;
  acked = 0;
  failed = 0;
  requeued = 0;
  /** The most sockets seen open at once (when known). */
  peakSockets = 0;
  readonly #rate: { t: number; acked: number }[] = [];

  /** Jobs fetched and not yet ACKed or FAILed. */
  get inFlight(): number {
    return this.fetched - this.acked - this.failed;
  }

  /** ACKs per second over the last second or so (a ring of at most 12 samples). */
  rate(nowMs: number): number {
    this.#rate.push({ t: nowMs, acked: this.acked });
    while (this.#rate.length > 12 || (this.#rate.length > 2 && nowMs - (this.#rate[1]?.t ?? nowMs) >= 1_000)) this.#rate.shift();
    const first = this.#rate[0];
    if (first === undefined || nowMs - first.t <= 0) return 0;
    return ((this.acked - first.acked) * 1_000) / (nowMs - first.t);
  }
}

/** One progress line: `[████░░░░]  42%  12,345/20,000  9,876 jobs/s  in-flight 50  ...`. */
export function progressLine(c: DemoCounters, total: number, jobsPerSecond: number, elapsedMs: number, withBar: boolean): string {
  const done = Math.min(1, c.acked / total);
  const width = 24;
  const filled = Math.round(done * width);
  const bar = withBar ? `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ` : '';
  const pct = `${Math.floor(done * 100)}%`.padStart(4);
  return [
    `${bar}${pct}`,
    `${c.acked.toLocaleString('en-US')}/${total.toLocaleString('en-US')} acked`,
    `${Math.round(jobsPerSecond).toLocaleString('en-US').padStart(6)} jobs/s`,
    `in-flight ${String(c.inFlight).padStart(3)}`,
    `failed ${c.failed}`,
    `retries ${c.requeued}`,
    `${(elapsedMs / 1_000).toFixed(1)} s`,
  ].join('  ');
}

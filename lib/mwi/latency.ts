/** Summary of recent latencies in milliseconds (0 everywhere when nothing was recorded yet). */
export interface LatencyStats {
  count: number
  p50: number
  p99: number
  max: number
}

/**
 * The last `capacity` latencies of one operation, for the benchmark's "message committed → MWI event sent p99"
 * (SPEC §9) and for `voicemailctl`. A ring buffer: memory stays constant however long the daemon runs.
 */
export class LatencyRecorder {
  private readonly samples: number[] = []
  private next = 0
  private total = 0

  constructor(private readonly capacity = 10_000) {}

  record(ms: number): void {
    this.total++
    if (this.samples.length < this.capacity) this.samples.push(ms)
    else this.samples[this.next] = ms
    this.next = (this.next + 1) % this.capacity
  }

  /** Percentiles over the retained samples (nearest rank); `count` is every sample ever recorded. */
  stats(): LatencyStats {
    if (this.samples.length === 0) return { count: 0, p50: 0, p99: 0, max: 0 }
    const sorted = [...this.samples].sort((a, b) => a - b)
    const rank = (p: number): number =>
      sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0
    return { count: this.total, p50: rank(0.5), p99: rank(0.99), max: sorted[sorted.length - 1] ?? 0 }
  }

  /** A copy of the retained samples, in no particular order once the ring has wrapped. */
  values(): number[] {
    return [...this.samples]
  }
}

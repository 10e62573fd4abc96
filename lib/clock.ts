/**
 * Time as the daemon sees it. Everything timing-sensitive (lockouts, retention, mail backoff, job runs) asks a
 * Clock instead of `Date.now()`, so tests can move time by hand.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(private current = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.current
  }
  set(ms: number): void {
    this.current = ms
  }
  advance(ms: number): void {
    this.current += ms
  }
}

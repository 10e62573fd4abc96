import type { Clock } from '../clock.js'
import { BYTES_PER_SECOND, WAV_HEADER_BYTES } from '../quota/audio-format.js'
import type { InFlightSizes } from '../quota/rules.js'

const BYTES_PER_MS = BYTES_PER_SECOND / 1000

type ClaimState =
  | { kind: 'waiting' }
  | { kind: 'recording'; since: number; stop: () => void }
  | { kind: 'taken'; bytes: number }

interface BoxEntry {
  readonly claims: Set<InFlightClaim>
  /** Bytes of claims released so far (only grows): lets a usage query notice releases that raced it. */
  releasedBytes: number
  /** Admissions waiting for their usage query: the entry must outlive them. */
  pending: number
  /** Latest quota and usage query given for the box (used by the watch). */
  quotaBytes: number
  usedBytes: () => Promise<number>
  /** The watch's next look, and when it is due (wall-clock ms, only to keep the earlier of two wake-ups). */
  timer: NodeJS.Timeout | undefined
  timerDue: number
  checking: boolean
}

/**
 * One admitted caller's share of a box while they record (SPEC §4 deposit 3). It counts, in bytes: a finished take
 * its size; a recording in progress what it has recorded so far by the injected clock (16,000 B/s), but at least
 * the floor; a caller between takes (beep, "too short") the floor.
 */
export class InFlightClaim {
  /** The watch ended this caller's recording because the box reached its quota. */
  stoppedForQuota = false
  private state: ClaimState = { kind: 'waiting' }
  private released = false

  constructor(
    readonly boxKey: string | number,
    private readonly owner: RecordingsInFlight,
    private readonly clock: Clock,
    private readonly floorBytes: number,
  ) {}

  /** Bytes this claim counts for now. */
  bytes(now = this.clock.now()): number {
    switch (this.state.kind) {
      case 'waiting':
        return this.floorBytes
      case 'taken':
        return this.state.bytes
      case 'recording':
        return Math.max(this.floorBytes, this.recordedBytes(now))
    }
  }

  /** Bytes recorded so far by the clock (header included), 0 when not recording. */
  recordedBytes(now = this.clock.now()): number {
    if (this.state.kind !== 'recording') return 0
    return WAV_HEADER_BYTES + Math.max(0, now - this.state.since) * BYTES_PER_MS
  }

  get recording(): boolean {
    return this.state.kind === 'recording'
  }

  /** Recording, and already past the floor: ending it now leaves a message long enough to keep. */
  pastFloor(now = this.clock.now()): boolean {
    return this.recording && this.recordedBytes(now) >= this.floorBytes
  }

  /** A take starts now; `stop` ends it early (FreeSWITCH `uuid_break`) if the box reaches its quota. */
  startRecording(stop: () => void): void {
    this.stoppedForQuota = false
    this.state = { kind: 'recording', since: this.clock.now(), stop }
    this.owner.recordingStarted(this)
  }

  /** The take ended with `bytes` on disk (header included); it counts until the claim is released. */
  finishTake(bytes: number): void {
    this.state = { kind: 'taken', bytes: Math.max(0, Math.floor(bytes)) }
  }

  /** The take was thrown away (too short, re-record): back to the floor. */
  discardTake(): void {
    this.state = { kind: 'waiting' }
  }

  /** Ask FreeSWITCH to end the recording in progress, once. True when a stop was sent now. */
  stopForQuota(): boolean {
    if (this.state.kind !== 'recording' || this.stoppedForQuota || this.released) return false
    this.stoppedForQuota = true
    this.state.stop()
    return true
  }

  /** The message row is written (its bytes now count as used) or the caller left: the claim ends. Idempotent. */
  release(): void {
    if (this.released) return
    const bytes = this.bytes()
    this.released = true
    this.state = { kind: 'taken', bytes: 0 }
    this.owner.released(this, bytes)
  }
}

export interface RecordingsInFlightOptions {
  /** Shortest wait between two looks at a box with recordings in progress (real ms). Default 200. */
  watchIntervalMs?: number
  /**
   * Longest wait (real ms), for a box far from its quota. Default 10 000. The waits are computed on the injected
   * clock: with a clock that runs faster than the wall clock (the simulator's), set this to the shortest wait.
   */
  watchMaxIntervalMs?: number
  /** Called when the watch's own usage query fails (it tries again at the next tick). */
  onWatchError?: (err: unknown) => void
}

/**
 * The recordings in progress of every box, in this process (SPEC §4 deposit 3: concurrent callers share the room
 * and none is turned away while there is room; the quota holds to within a second of audio per recording caller).
 *
 * - Admission: a caller hears "full" only when `quota − used − in flight` is less than a minimum-length message.
 *   In flight counts each admitted caller at least at the floor (a minimum message plus a margin), so every caller
 *   let in can leave a message long enough to keep: letting in more than that would only make everyone's
 *   recording too short.
 * - Each take's cap is the room left for it at that moment (`roomFor`).
 * - The watch: while a box has recordings in progress it is looked at again after half the time its recordings
 *   need to fill the room left at 16,000 B/s each (between `watchIntervalMs` and `watchMaxIntervalMs`: a box far
 *   from its quota costs one usage query every 10 s, one near it one every 200 ms), and as soon as a new take
 *   starts. Once `used + in flight` reaches the quota, every recording that has passed its floor is ended (the
 *   flow tells the caller why). Recordings still under their floor go on until they reach it: their room was set
 *   aside when they were let in.
 *
 * Memory only: a restart ends every recording anyway (the recording journal, recordings-in-progress.ts, is what
 * survives one). A box is whatever key the caller gives: the quota module passes the mailbox's row id.
 */
export class RecordingsInFlight {
  private readonly byBox = new Map<string | number, BoxEntry>()
  private readonly minWaitMs: number
  private readonly maxWaitMs: number

  constructor(
    private readonly clock: Clock,
    private readonly options: RecordingsInFlightOptions = {},
  ) {
    this.minWaitMs = options.watchIntervalMs ?? 200
    this.maxWaitMs = Math.max(this.minWaitMs, options.watchMaxIntervalMs ?? 10_000)
  }

  /** Bytes the box's callers in flight count for now (all of them, or all but `except`). */
  bytes(boxKey: string | number, except?: InFlightClaim): number {
    const entry = this.byBox.get(boxKey)
    return entry === undefined ? 0 : sumBytes(entry, this.clock.now(), except)
  }

  /**
   * Let a caller in, or not: resolves to their claim, or undefined when the box is full (less than
   * `minMessageBytes` of room). The claim is taken synchronously once the usage query resolves, so callers
   * arriving together see each other.
   */
  async admit(
    boxKey: string | number,
    quotaBytes: number,
    usedBytes: () => Promise<number>,
    sizes: InFlightSizes,
  ): Promise<InFlightClaim | undefined> {
    const entry = this.entry(boxKey, quotaBytes, usedBytes)
    entry.pending++
    let room: number
    try {
      room = await this.room(entry)
    } finally {
      entry.pending--
    }
    if (room < sizes.minMessageBytes) {
      this.dropIfIdle(boxKey, entry)
      return undefined
    }
    const claim = new InFlightClaim(boxKey, this, this.clock, sizes.floorBytes)
    entry.claims.add(claim)
    return claim
  }

  /** Room for `claim`'s next take: `quota − used − the other callers in flight`, never below 0. */
  async roomFor(claim: InFlightClaim, quotaBytes: number, usedBytes: () => Promise<number>): Promise<number> {
    const entry = this.entry(claim.boxKey, quotaBytes, usedBytes)
    return this.room(entry, claim)
  }

  /**
   * One look of the watch (the timer calls it; tests may too): when `used + in flight` has reached the quota, end
   * every recording of the box that has passed its floor. Resolves with how many were ended now.
   */
  async check(boxKey: string | number): Promise<number> {
    const entry = this.byBox.get(boxKey)
    return entry === undefined ? 0 : (await this.look(entry)).stopped
  }

  /** Called by a claim whose take starts: the box grows faster now, look at it soon. */
  recordingStarted(claim: InFlightClaim): void {
    const entry = this.byBox.get(claim.boxKey)
    if (entry !== undefined) this.schedule(claim.boxKey, entry, this.minWaitMs)
  }

  /** Called by a claim on release. */
  released(claim: InFlightClaim, bytes: number): void {
    const entry = this.byBox.get(claim.boxKey)
    if (entry === undefined) return
    entry.claims.delete(claim)
    entry.releasedBytes += bytes
    this.dropIfIdle(claim.boxKey, entry)
  }

  private async look(entry: BoxEntry): Promise<{ stopped: number; room: number }> {
    if (entry.checking) return { stopped: 0, room: 0 }
    entry.checking = true
    try {
      const room = await this.room(entry)
      if (room > 0) return { stopped: 0, room }
      const now = this.clock.now()
      let stopped = 0
      for (const claim of entry.claims) {
        // A recording under its floor keeps going: its room was set aside when it was let in.
        if (claim.pastFloor(now) && claim.stopForQuota()) stopped++
      }
      return { stopped, room }
    } finally {
      entry.checking = false
    }
  }

  /** Wake the watch for `boxKey` in `delayMs`, unless it is already due sooner. */
  private schedule(boxKey: string | number, entry: BoxEntry, delayMs: number): void {
    const due = Date.now() + delayMs
    if (entry.timer !== undefined && entry.timerDue <= due) return
    clearTimeout(entry.timer)
    entry.timerDue = due
    entry.timer = setTimeout(() => {
      entry.timer = undefined
      this.tick(boxKey, entry)
    }, delayMs)
    entry.timer.unref()
  }

  private tick(boxKey: string | number, entry: BoxEntry): void {
    if (this.byBox.get(boxKey) !== entry) return
    const recording = [...entry.claims].filter((c) => c.recording).length
    if (recording === 0) return
    this.look(entry).then(
      ({ room }) => {
        // Half the time the recordings in progress need to fill the room at 16,000 B/s each.
        const wait = room / (recording * BYTES_PER_MS) / 2
        this.schedule(boxKey, entry, Math.min(this.maxWaitMs, Math.max(this.minWaitMs, wait)))
      },
      (err: unknown) => {
        this.options.onWatchError?.(err)
        this.schedule(boxKey, entry, this.minWaitMs)
      },
    )
  }

  /**
   * `quota − used − in flight (but except)`. A claim released while the usage query ran (its row just written)
   * is still counted: the query may or may not have seen that row, and the error must be on the safe side.
   */
  private async room(entry: BoxEntry, except?: InFlightClaim): Promise<number> {
    const releasedBefore = entry.releasedBytes
    const used = await entry.usedBytes()
    const raced = entry.releasedBytes - releasedBefore
    return Math.max(0, entry.quotaBytes - used - raced - sumBytes(entry, this.clock.now(), except))
  }

  private entry(boxKey: string | number, quotaBytes: number, usedBytes: () => Promise<number>): BoxEntry {
    let entry = this.byBox.get(boxKey)
    if (entry === undefined) {
      entry = {
        claims: new Set(),
        releasedBytes: 0,
        pending: 0,
        quotaBytes,
        usedBytes,
        timer: undefined,
        timerDue: 0,
        checking: false,
      }
      this.byBox.set(boxKey, entry)
    }
    // The latest quota wins (an operator may change it while calls run).
    entry.quotaBytes = quotaBytes
    entry.usedBytes = usedBytes
    return entry
  }

  private dropIfIdle(boxKey: string | number, entry: BoxEntry): void {
    if (entry.claims.size > 0 || entry.pending > 0) return
    clearTimeout(entry.timer)
    this.byBox.delete(boxKey)
  }
}

function sumBytes(entry: BoxEntry, now: number, except?: InFlightClaim): number {
  let sum = 0
  for (const claim of entry.claims) if (claim !== except) sum += claim.bytes(now)
  return sum
}

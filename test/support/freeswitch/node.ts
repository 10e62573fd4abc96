/**
 * One simulated FreeSWITCH node: its identity (Core-UUID, hostname), its simulated clock, the event sequence, the
 * event bus every connection subscribes to, and the live calls (for `uuid_*` api commands).
 *
 * Time is *simulated and compressed*: `simNow()` runs `1 / timeScale` times faster than the wall clock, so a
 * 30-second call takes 300 ms with the default 0.01. Durations FS reports (playback_ms, record_ms) are taken from
 * the simulated offsets at which things were scheduled, so they are deterministic.
 */
import type { FsEvent, Header } from './frames.js'
import { createRng, type Rng } from './rng.js'

/** Metadata used for routing an event, computed once. */
export interface RoutedEvent {
  readonly event: FsEvent
  readonly name: string
  /** Unique-ID of the channel the event is about, if any. */
  readonly uuid?: string
  /** Job-Owner-UUID of a BACKGROUND_JOB (myevents keeps those for its call, mes.c:375–383). */
  readonly jobOwner?: string
}

export interface EventSubscriber {
  deliver(ev: RoutedEvent): void
}

export interface NodeOptions {
  /** Real ms per simulated ms. Default 0.01. */
  timeScale?: number
  seed?: number
  hostname?: string
  coreUuid?: string
  /** Wall-clock origin of simulated time (epoch ms) for Event-Date-*. Default 2026-11-26T12:00:00Z. */
  epochMs?: number
}

export interface TimerHandle {
  cancel(): void
}

interface TimerEntry {
  at: number
  seq: number
  fn: (at: number) => void
  cancelled: boolean
}

export class FsNode {
  readonly timeScale: number
  readonly rng: Rng
  readonly hostname: string
  readonly coreUuid: string
  private readonly epochMs: number
  private readonly realStart = performance.now()
  private seq = 500
  private readonly heap: TimerEntry[] = []
  private timerSeq = 0
  private timer: NodeJS.Timeout | undefined
  private readonly global = new Set<EventSubscriber>()
  private readonly byUuid = new Map<string, Set<EventSubscriber>>()
  /** Live channels by uuid, for uuid_* api commands. */
  readonly channels = new Map<string, ChannelApi>()

  constructor(opts: NodeOptions = {}) {
    this.timeScale = opts.timeScale ?? 0.01
    this.rng = createRng(opts.seed ?? 1)
    this.hostname = opts.hostname ?? 'vm'
    this.coreUuid = opts.coreUuid ?? this.rng.uuid()
    this.epochMs = opts.epochMs ?? Date.UTC(2026, 10, 26, 12, 0, 0)
  }

  /**
   * An independent generator for one call or connection, derived from the node's seed in creation order, so how
   * one connection's writes happen to coalesce never shifts another's random choices.
   */
  forkRng(): Rng {
    return createRng(Math.floor(this.rng.next() * 2 ** 32))
  }

  /** Simulated ms since the node started. */
  simNow(): number {
    return (performance.now() - this.realStart) / this.timeScale
  }

  /**
   * Run `fn(at)` when simulated time reaches `at`. All timers of the node share one ordered queue, so callbacks
   * run strictly in simulated-time order (ties in scheduling order) even when the event loop lags: separate
   * `setTimeout`s would reorder under load (a caller's "4821" arriving as "8241").
   */
  at(at: number, fn: (at: number) => void): TimerHandle {
    const entry: TimerEntry = { at, seq: this.timerSeq++, fn, cancelled: false }
    this.heap.push(entry)
    this.siftUp(this.heap.length - 1)
    if (this.heap[0] === entry) this.rearm()
    return {
      cancel: () => {
        entry.cancelled = true
      },
    }
  }

  /** Drop every pending timer (simulator shutdown). */
  stopTimers(): void {
    this.heap.length = 0
    clearTimeout(this.timer)
    this.timer = undefined
  }

  private rearm(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    const first = this.heap[0]
    if (first === undefined) return
    const delay = Math.max(0, (first.at - this.simNow()) * this.timeScale)
    this.timer = setTimeout(() => this.runDue(), delay)
  }

  private runDue(): void {
    this.timer = undefined
    const now = this.simNow()
    // Everything due now runs in order; a callback may schedule more (also run if already due).
    for (let n = 0; n < 100_000; n++) {
      const first = this.heap[0]
      if (first === undefined || first.at > now) break
      this.popMin()
      if (!first.cancelled) first.fn(first.at)
    }
    this.rearm()
  }

  private less(a: TimerEntry, b: TimerEntry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq)
  }

  private siftUp(i: number): void {
    const h = this.heap
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!this.less(h[i] as TimerEntry, h[p] as TimerEntry)) break
      ;[h[i], h[p]] = [h[p] as TimerEntry, h[i] as TimerEntry]
      i = p
    }
  }

  private popMin(): void {
    const h = this.heap
    const last = h.pop()
    if (last === undefined || h.length === 0) return
    h[0] = last
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < h.length && this.less(h[l] as TimerEntry, h[m] as TimerEntry)) m = l
      if (r < h.length && this.less(h[r] as TimerEntry, h[m] as TimerEntry)) m = r
      if (m === i) break
      ;[h[i], h[m]] = [h[m] as TimerEntry, h[i] as TimerEntry]
      i = m
    }
  }

  /** Standard event headers (ev.c:1986–2002), in FS order. */
  standardHeaders(name: string, file: string, fn: string, line: number, simAt = this.simNow()): Header[] {
    const ms = this.epochMs + Math.floor(simAt)
    const d = new Date(ms)
    const local = d.toISOString().slice(0, 19).replace('T', ' ')
    return [
      ['Event-Name', name],
      ['Core-UUID', this.coreUuid],
      ['FreeSWITCH-Hostname', this.hostname],
      ['FreeSWITCH-Switchname', this.hostname],
      ['FreeSWITCH-IPv4', '192.0.2.10'],
      ['FreeSWITCH-IPv6', 'fd00::10'],
      ['Event-Date-Local', local],
      ['Event-Date-GMT', d.toUTCString()],
      ['Event-Date-Timestamp', String(ms * 1000 + Math.floor((simAt % 1) * 1000))],
      ['Event-Calling-File', file],
      ['Event-Calling-Function', fn],
      ['Event-Calling-Line-Number', String(line)],
      ['Event-Sequence', String(++this.seq)],
    ]
  }

  /** Epoch µs for the *-Time headers. */
  epochUs(simAt = this.simNow()): number {
    return (this.epochMs + Math.floor(simAt)) * 1000
  }

  subscribeAll(sub: EventSubscriber): void {
    this.global.add(sub)
  }
  subscribeUuid(uuid: string, sub: EventSubscriber): void {
    let set = this.byUuid.get(uuid)
    if (set === undefined) this.byUuid.set(uuid, (set = new Set()))
    set.add(sub)
  }
  unsubscribe(sub: EventSubscriber): void {
    this.global.delete(sub)
    for (const [k, set] of this.byUuid) {
      set.delete(sub)
      if (set.size === 0) this.byUuid.delete(k)
    }
  }

  /** Fire an event: every global subscriber, plus those filtered on its Unique-ID / Job-Owner-UUID. */
  publish(ev: RoutedEvent): void {
    for (const s of this.global) s.deliver(ev)
    const ids = ev.uuid !== undefined ? this.byUuid.get(ev.uuid) : undefined
    if (ids !== undefined) for (const s of ids) if (!this.global.has(s)) s.deliver(ev)
    const owner = ev.jobOwner !== undefined ? this.byUuid.get(ev.jobOwner) : undefined
    if (owner !== undefined) for (const s of owner) if (!this.global.has(s)) s.deliver(ev)
  }
}

/** What `uuid_*` api commands may do with a live channel. */
export interface ChannelApi {
  getVar(name: string): string | undefined
  setVar(name: string, value: string): void
  breakMedia(all: boolean): void
  kill(cause: string): void
  queueDtmf(digits: string): void
}

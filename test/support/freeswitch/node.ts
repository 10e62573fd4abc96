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

export class FsNode {
  readonly timeScale: number
  readonly rng: Rng
  readonly hostname: string
  readonly coreUuid: string
  private readonly epochMs: number
  private readonly realStart = performance.now()
  private seq = 500
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

  /** Simulated ms since the node started. */
  simNow(): number {
    return (performance.now() - this.realStart) / this.timeScale
  }

  /** Run `fn(at)` when simulated time reaches `at` (never earlier than now). */
  at(at: number, fn: (at: number) => void): TimerHandle {
    const delay = Math.max(0, (at - this.simNow()) * this.timeScale)
    const t = setTimeout(() => fn(at), delay)
    return { cancel: () => clearTimeout(t) }
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

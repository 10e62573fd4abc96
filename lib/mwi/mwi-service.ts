import { performance } from 'node:perf_hooks'
import type { UpdateReason } from '../contracts/lamps.js'
import type { FreeswitchLink, FsEvent } from '../esl/link.js'
import type { Logger } from '../log.js'
import type { Mailbox } from '../store/types.js'
import { parseAccount, sipUri } from './accounts.js'
import type { MwiDirectory } from './directory.js'
import { type Lamp, LampResolver, newRunCache } from './lamp-resolver.js'
import { type MwiStoreParts, storeDirectory } from './store-directory.js'
import { LatencyRecorder, type LatencyStats } from './latency.js'
import { buildMessageWaiting, echoedHeaders, noMessages } from './message-waiting.js'

export interface MwiServiceOptions {
  link: FreeswitchLink
  /** Where boxes and counts come from: the store (its repositories), or any MwiDirectory (tests, tools). */
  store?: MwiStoreParts
  directory?: MwiDirectory
  /** Used as given: the caller adds bindings such as `{ component: 'mwi' }`. */
  log: Logger
  /** Monotonic milliseconds for the latency figures (default `performance.now`); never used for logic. */
  monotonicNow?: () => number
  /** How many MESSAGE_WAITING commands are kept in flight at once per push or announce (default 32). */
  sendConcurrency?: number
  /** Told each successful refresh's latency (ms, as `latency()` counts it): the daemon's metrics. Must not throw. */
  onRefreshed?: (ms: number) => void
}

interface Slot {
  /** A second refresh asked for while one runs: runs once after it, with the latest box and reason. */
  queued?: {
    box: Mailbox
    reason: UpdateReason
    resolve: (done: Promise<boolean>) => void
    promise: Promise<boolean>
  }
}

/**
 * Message-waiting lamps over the inbound Event Socket (SPEC §5). Constructing it wires it to the link: every
 * MESSAGE_QUERY is answered on the node that asked, and every node that (re)connects gets every lamp again
 * (FreeSWITCH keeps no state for us, and queries fired while we were away are lost: brief §2 "Reconnect").
 *
 * Nothing here throws into a call flow: store and link failures are logged and swallowed, and the next change,
 * the mwi-resync job or the next reconnect repairs the lamp. The constructor throws a TypeError only when given
 * neither `store` nor `directory`.
 */
export class MwiService {
  private readonly link: FreeswitchLink
  private readonly log: Logger
  private readonly resolver: LampResolver
  private readonly now: () => number
  private readonly concurrency: number
  private readonly slots = new Map<number, Slot>()
  private readonly refreshLatency = new LatencyRecorder()
  private readonly onRefreshed: ((ms: number) => void) | undefined
  private stopped = false

  constructor(options: MwiServiceOptions) {
    this.link = options.link
    this.log = options.log
    const directory =
      options.directory ?? (options.store === undefined ? undefined : storeDirectory(options.store))
    if (directory === undefined) throw new TypeError('MwiService needs a store or a directory')
    this.resolver = new LampResolver(directory)
    this.now = options.monotonicNow ?? (() => performance.now())
    this.concurrency = Math.max(1, options.sendConcurrency ?? 32)
    this.onRefreshed = options.onRefreshed
    this.link.onEvent('MESSAGE_QUERY', (event, node) => void this.answerQuery(event, node))
    this.link.onConnect((node) => {
      if (!this.stopped) void this.announceAll('CONNECT', node)
    })
  }

  /**
   * Push the lamps `box` lights (its own account and each extra account, with each account's summed counts) to
   * every connected node. Never rejects. Bursts are coalesced per box: while one push runs, any number of further
   * calls share a single follow-up push that reads the counts afresh when it starts.
   */
  refresh(box: Mailbox, reason: UpdateReason): Promise<void> {
    const started = this.now()
    const slot = this.slots.get(box.rowId)
    let run: Promise<boolean>
    if (slot === undefined) {
      run = this.start(box, reason)
    } else if (slot.queued !== undefined) {
      slot.queued.box = box
      slot.queued.reason = reason
      run = slot.queued.promise
    } else {
      let resolve!: (done: Promise<boolean>) => void
      run = new Promise<boolean>((r) => (resolve = r))
      slot.queued = { box, reason, resolve, promise: run }
    }
    return run.then((ok) => {
      if (!ok) return
      const ms = this.now() - started
      this.refreshLatency.record(ms)
      this.onRefreshed?.(ms)
    })
  }

  /**
   * Announce every lamp of every enabled box: to `node` only when given (a node that just connected), else to every
   * connected node (the mwi-resync job, `voicemailctl mwi resync`). Resolves with how many enabled boxes there were
   * and how many MESSAGE_WAITING events FreeSWITCH acknowledged; never rejects.
   */
  async announceAll(reason: UpdateReason, node?: string): Promise<{ boxes: number; events: number }> {
    let plan: { boxes: number; lamps: Lamp[] }
    try {
      plan = await this.resolver.everyLamp()
    } catch (err) {
      this.log.error({ err, node }, 'mwi announce failed: cannot read the store')
      return { boxes: 0, events: 0 }
    }
    const events = await this.sendAll(plan.lamps, reason, node)
    this.log.info({ node, reason, boxes: plan.boxes, accounts: plan.lamps.length, events }, 'mwi announced')
    return { boxes: plan.boxes, events }
  }

  /** Time from `refresh()` to FreeSWITCH's `+OK` for its last event (successful pushes only). */
  latency(): LatencyStats {
    return this.refreshLatency.stats()
  }

  /** The retained raw samples behind `latency()` (ms), for the benchmark's own percentiles. */
  latencySamples(): number[] {
    return this.refreshLatency.values()
  }

  /** Ignore further queries and connects (the link has no way to unsubscribe). In-flight pushes finish. */
  stop(): void {
    this.stopped = true
  }

  private start(box: Mailbox, reason: UpdateReason): Promise<boolean> {
    const slot: Slot = {}
    this.slots.set(box.rowId, slot)
    const run = this.push(box, reason)
    void run.then(() => {
      const queued = slot.queued
      if (queued === undefined) this.slots.delete(box.rowId)
      else queued.resolve(this.start(queued.box, queued.reason))
    })
    return run
  }

  /**
   * One push; resolves true when every event was acknowledged. Never rejects. Logs one `mwi updated` line at info
   * per push, so an operator can follow each lamp in the journal.
   */
  private async push(box: Mailbox, reason: UpdateReason): Promise<boolean> {
    const log = this.log.child({ mailbox: box.id, domain: box.domain })
    if (this.stopped) return false
    if (!this.link.connected) {
      // Not an error: the reconnect re-announces every box.
      log.debug({ reason }, 'mwi not sent: no FreeSWITCH connected')
      return false
    }
    const startedAt = this.now()
    const cache = newRunCache()
    let lamps: Lamp[]
    try {
      const { accounts, invalid } = await this.resolver.targets(box, cache)
      if (invalid.length > 0) log.warn({ invalid }, 'mwi account ignored: not user@domain')
      lamps = await this.resolver.lamps(accounts, cache)
    } catch (err) {
      log.error({ err, reason }, 'mwi not sent: cannot read the store')
      return false
    }
    const events = await this.sendAll(lamps, reason)
    // The box's own counts (read for its lamp just now; a disabled box lights nothing and counts as empty).
    const counts = (await cache.counts.get(box.rowId)) ?? noMessages
    const ms = Math.round((this.now() - startedAt) * 10) / 10
    log.info({ reason, ...counts, accounts: lamps.length, events, ms }, 'mwi updated')
    return events === lamps.length
  }

  /**
   * Send lamps with at most `concurrency` commands in flight (a unified box or a resync may light thousands of
   * accounts). Resolves with how many FreeSWITCH acknowledged.
   */
  private async sendAll(lamps: readonly Lamp[], reason: UpdateReason, node?: string): Promise<number> {
    let acknowledged = 0
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < lamps.length) {
        const lamp = lamps[next++] as Lamp
        if (await this.send(lamp, reason, node)) acknowledged++
      }
    }
    await Promise.all(Array.from({ length: Math.min(this.concurrency, lamps.length) }, worker))
    return acknowledged
  }

  /** One MESSAGE_WAITING for a lamp; resolves false (logged) when the link refused or failed. */
  private async send(lamp: Lamp, reason: UpdateReason, node?: string): Promise<boolean> {
    const account = sipUri(lamp.account)
    try {
      await this.link.sendEvent(
        'MESSAGE_WAITING',
        buildMessageWaiting({ counts: lamp.counts, account, reason }),
        node,
      )
      return true
    } catch (err) {
      this.log.warn({ err, account, node }, 'mwi event failed')
      return false
    }
  }

  /**
   * Answer a MESSAGE_QUERY the way mod_voicemail does (vm.c:3955–4041): always, even with zeros; the account
   * verbatim; every `VM-*` header echoed without its prefix so the NOTIFY reaches exactly the asking
   * registration (`Call-ID`) or subscription (`sub-call-id`).
   */
  private async answerQuery(event: FsEvent, node: string): Promise<void> {
    if (this.stopped) return
    const asked = header(event, 'Message-Account')
    if (asked === undefined || asked === '' || /[\r\n\0]/.test(asked)) {
      this.log.warn({ node }, 'mwi query ignored: no usable Message-Account')
      return
    }
    const account = parseAccount(asked)
    let counts = { ...noMessages }
    if (account !== undefined) {
      try {
        const cache = newRunCache()
        counts = (await this.resolver.lamp(account, cache)).counts
        if (await this.resolver.learn(account, cache))
          this.log.debug({ account: asked }, 'mwi account learned')
      } catch (err) {
        // Still answer: "no" now beats a phone waiting for a NOTIFY; resync corrects it.
        this.log.error({ err, account: asked }, 'mwi query answered with zeros: cannot read the store')
      }
    }
    const headers = buildMessageWaiting({ counts, account: asked, echo: echoedHeaders(event.headers) })
    try {
      await this.link.sendEvent('MESSAGE_WAITING', headers, node)
      this.log.debug({ node, account: asked, new: counts.new, saved: counts.saved }, 'mwi query answered')
    } catch (err) {
      this.log.warn({ err, node, account: asked }, 'mwi query answer failed')
    }
  }
}

/** Header lookup by name, case-insensitive as in FreeSWITCH (ev.c:837–840). */
function header(event: FsEvent, name: string): string | undefined {
  const exact = event.headers.get(name)
  if (exact !== undefined) return exact
  const lower = name.toLowerCase()
  for (const [key, value] of event.headers) if (key.toLowerCase() === lower) return value
  return undefined
}

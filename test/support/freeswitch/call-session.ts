/**
 * The FreeSWITCH core side of one call: the queue of `sendmsg` executes (FIFO; see README.md, "The FreeSWITCH simulator" for the
 * nesting FS would do instead), the DTMF queue (brief §1.4), the media wait every app is built on, and the hangup
 * sequence (§1.5). It knows nothing about sockets: it publishes events on the node's bus.
 */
import type { Channel } from './channel.js'
import type { Header } from './frames.js'
import type { ChannelApi, FsNode, TimerHandle } from './node.js'
import type { Rng } from './rng.js'
import { runApp, type AppEnv } from './apps.js'

export interface ExecuteMessage {
  app: string
  arg: string
  /** Event-UUID sent by the daemon → Application-UUID. */
  appUuid: string
  eventLock: boolean
}

/** How a media wait ended. */
export interface MediaResult {
  endedBy: 'time' | 'digit' | 'hangup' | 'break'
  /** Simulated ms from the start of the wait to its end. */
  elapsedMs: number
  digit?: string
}

/**
 * What a running app does with the next queued digit: `stop` (dequeue it and end the wait), `drop` (dequeue it and
 * go on), `stop-leave` (end the wait, leave it queued: sleep), `keep` (do not look at it: media played with no
 * input callback).
 */
export type DigitPolicy = (digit: string) => 'stop' | 'drop' | 'stop-leave' | 'keep'

/** Hooks the scripted caller plugs in (caller-script.ts). */
export interface CallerHooks {
  onAppStart?(app: string, arg: string, index: number, at: number): void
  onPlaybackStart?(file: string, index: number, at: number): void
  onRecordStart?(path: string, index: number, at: number): void
  /** A play_and_get_digits try or a read starts (before its prompt). */
  onCollectStart?(at: number): void
  /** How long the caller speaks into the Nth recording (simulated ms). Default 3000. */
  speechMs?(path: string, index: number): number
}

export interface SessionOptions {
  /** Does this absolute prompt path exist? */
  promptExists(path: string): boolean
  /** Simulated length of a prompt file in ms. */
  promptMs(path: string): number
  /** Cause a `bridge` fails with. */
  bridgeFailCause: string
}

interface MediaWait {
  startAt: number
  policy: DigitPolicy
  timer: TimerHandle | undefined
  resolve(r: MediaResult): void
}

export class CallSession implements ChannelApi, AppEnv {
  private readonly queue: ExecuteMessage[] = []
  private running: ExecuteMessage | undefined
  private wait: MediaWait | undefined
  /** Queued digits with the simulated instant they arrived. */
  private readonly digits: Array<{ d: string; at: number }> = []
  /** Every digit dequeued or flushed, for `digits_dialed` at hangup (ch.c:640–660, 724–735, 4538–4595). */
  private dtmfLog = ''
  private parkTimer: TimerHandle | undefined
  /** Since when the call has been parked (no app running), if it is. */
  private parkedAt: number | undefined
  /** The last park interval before the running app started. */
  private lastPark: { from: number; to: number } | undefined
  private appCount = 0
  playbackCount = 0
  recordCount = 0
  /** Every `transfer`, with a copy of the channel variables the dialplan continues with. */
  readonly transfers: Array<{ arg: string; variables: ReadonlyMap<string, string> }> = []
  hungUp = false
  /** Set once CHANNEL_HANGUP_COMPLETE has fired. */
  finished = false
  private onFinished: Array<() => void> = []
  /** Called at the moment the channel goes down (the socket side decides about notices). */
  onChannelDown: ((cause: string) => void) | undefined
  readonly recordedFiles: string[] = []
  /** current_application_response: the socket app's own completion reports the last app's (see the capture). */
  lastResponse = '_none_'
  /** The `socket` app's own argument, for its completion event at the end. */
  private readonly socketData: string
  /** The daemon's socket is still up (the `socket` app holds the call). */
  private controlled = true
  /** Once the `socket` app returned: the Application-UUID of the dialplan's next app (`hangup`). */
  private socketReturned: string | undefined

  constructor(
    readonly node: FsNode,
    readonly channel: Channel,
    readonly opts: SessionOptions,
    readonly hooks: CallerHooks = {},
    /** This call's own random stream (uuids, record overrun). */
    readonly rng: Rng = node.forkRng(),
  ) {
    node.channels.set(channel.uuid, this)
    this.socketData = channel.getVar('current_application_data') ?? ''
    this.parkedAt = node.simNow()
  }

  /** Publish a channel event on the node bus. */
  emit(name: string, extra: readonly Header[] = [], where?: readonly [string, string, number]): void {
    const event = this.channel.event(name, extra, where)
    this.node.publish({ event, name, uuid: this.channel.uuid })
  }

  now(): number {
    return this.node.simNow()
  }

  /** Queue an execute (async mode: the `+OK` was already written); runs at once if the call is parked. */
  execute(msg: ExecuteMessage): void {
    if (this.hungUp || this.socketReturned !== undefined) return // FS: IGNORE, no event (cs.c:2738–2763)
    this.queue.push(msg)
    if (this.running === undefined) this.runNext()
  }

  private runNext(): void {
    const msg = this.queue.shift()
    if (msg === undefined || this.hungUp) {
      this.parkedAt ??= this.now()
      this.park()
      return
    }
    this.parkTimer?.cancel()
    this.parkTimer = undefined
    const now = this.now()
    this.lastPark = this.parkedAt !== undefined ? { from: this.parkedAt, to: now } : undefined
    this.parkedAt = undefined
    this.discardParkedDigits()
    this.running = msg
    const index = this.appCount++
    void runApp(this, msg, index).then(() => {
      this.running = undefined
      if (this.hungUp) this.afterHangup()
      else if (!this.controlled) this.leaveSocket()
      else this.runNext()
    })
  }

  /** Announce an app start to the caller script. */
  appStarted(app: string, arg: string, index: number): void {
    this.hooks.onAppStart?.(app, arg, index, this.now())
  }

  /**
   * Wait `durationMs` of simulated media time (Infinity = until something else ends it) while the caller may press
   * digits; `policy` decides what each dequeued digit does. Resolves on time, digit, hangup or uuid_break.
   * `startAt` is the simulated start, the same instant the caller script was told about, so offsets are exact.
   */
  media(durationMs: number, policy: DigitPolicy, startAt = this.now()): Promise<MediaResult> {
    return new Promise<MediaResult>((resolve) => {
      if (this.hungUp) {
        resolve({ endedBy: 'hangup', elapsedMs: 0 })
        return
      }
      const w: MediaWait = { startAt, policy, timer: undefined, resolve }
      this.wait = w
      if (Number.isFinite(durationMs))
        w.timer = this.node.at(startAt + durationMs, () =>
          this.endWait({ endedBy: 'time', elapsedMs: durationMs }),
        )
      this.pumpDigits(startAt)
    })
  }

  private endWait(r: MediaResult): void {
    const w = this.wait
    if (w === undefined) return
    this.wait = undefined
    w.timer?.cancel()
    w.resolve(r)
  }

  /** The caller presses digits at simulated time `at` (RFC 2833 → the channel's DTMF queue). */
  queueDtmf(digits: string, at = this.now()): void {
    if (this.hungUp) return
    for (const d of digits) this.digits.push({ d, at })
    this.pumpDigits(at)
  }

  private dequeueDigit(): string | undefined {
    const d = this.digits.shift()?.d
    if (d === undefined) return undefined
    this.dtmfLog += d
    // The DTMF event fires when the digit is *dequeued* (ch.c:640–707).
    this.emit(
      'DTMF',
      [
        ['DTMF-Digit', d],
        ['DTMF-Duration', '2000'],
        ['DTMF-Source', 'APP'],
      ],
      ['switch_channel.c', 'switch_channel_dequeue_dtmf', 678],
    )
    return d
  }

  private pumpDigits(at: number): void {
    if (this.hungUp) return
    const w = this.wait
    if (w !== undefined) {
      this.discardParkedDigits()
      while (this.wait === w && this.digits.length > 0) {
        const next = (this.digits[0] as { d: string }).d
        const action = w.policy(next)
        const elapsedMs = Math.max(0, at - w.startAt)
        if (action === 'keep') return
        if (action === 'stop-leave') {
          this.endWait({ endedBy: 'digit', elapsedMs, digit: next })
          return
        }
        this.dequeueDigit()
        if (action === 'stop') this.endWait({ endedBy: 'digit', elapsedMs, digit: next })
      }
      return
    }
    if (this.running === undefined) this.park()
  }

  /**
   * Digits that arrived (in simulated time) while the call was parked, at least one 20 ms frame before the current
   * app started, were eaten by the park loop, even if the event loop delivered them late.
   */
  private discardParkedDigits(): void {
    const p = this.lastPark
    if (p === undefined) return
    while (this.digits.length > 0) {
      const first = this.digits[0] as { at: number }
      if (first.at < p.from || first.at > p.to - 20) break
      this.dequeueDigit()
    }
  }

  /**
   * The park loop (ivr.c:1150–1172) dequeues and discards digits every 20 ms frame: a digit typed while the daemon
   * is between two executes is lost to the next app (though its DTMF event still fires).
   */
  private park(): void {
    if (this.hungUp || this.digits.length === 0 || this.parkTimer !== undefined) return
    this.parkTimer = this.node.at(this.now() + 20, () => {
      this.parkTimer = undefined
      if (this.running !== undefined || this.hungUp) return
      while (this.digits.length > 0) this.dequeueDigit()
    })
  }

  /**
   * Hang up (BYE from the caller, `hangup` app, uuid_kill, …). `at` is the simulated instant, when the caller
   * script scheduled it, so a running app's duration is exact.
   */
  hangup(cause = 'NORMAL_CLEARING', at = this.now()): void {
    if (this.hungUp) return
    this.hungUp = true
    this.parkTimer?.cancel()
    this.channel.hangupCause = cause
    this.channel.answerState = 'hangup'
    this.channel.stateNumber = 10
    this.channel.hangupUs = this.node.epochUs()
    this.queue.length = 0 // queued messages never run (brief §1.3)
    this.digits.length = 0
    this.emit('CHANNEL_HANGUP', [], ['switch_channel.c', 'switch_channel_perform_hangup', 3447])
    this.onChannelDown?.(cause)
    if (this.wait !== undefined) {
      const w = this.wait
      this.endWait({ endedBy: 'hangup', elapsedMs: Math.max(0, at - w.startAt) })
    }
    if (this.running === undefined) this.afterHangup()
  }

  private afterHangup(): void {
    if (this.finished) return
    this.finished = true
    const dialplanApp = this.socketReturned
    if (dialplanApp === undefined) this.socketAppReturns()
    else
      this.emit(
        'CHANNEL_EXECUTE_COMPLETE',
        [
          ['Application', 'hangup'],
          ['Application-Response', '_none_'],
          ['Application-UUID', dialplanApp],
        ],
        ['switch_core_session.c', 'switch_core_session_exec', 2972],
      )
    this.channel.state = 'CS_HANGUP'
    this.channel.callState = 'HANGUP'
    this.emit('CHANNEL_STATE', [], ['switch_core_state_machine.c', 'switch_core_session_run', 627])
    this.channel.state = 'CS_REPORTING'
    this.channel.stateNumber = 11
    this.emit('CHANNEL_STATE', [], ['switch_core_state_machine.c', 'switch_core_session_run', 627])
    this.channel.setVar(
      'digits_dialed',
      digitsDialed(this.dtmfLog, this.channel.getVar('digits_dialed_filter')),
    )
    this.emit(
      'CHANNEL_HANGUP_COMPLETE',
      [],
      ['switch_core_state_machine.c', 'switch_core_session_reporting_state', 943],
    )
    this.node.channels.delete(this.channel.uuid)
    for (const f of this.onFinished) f()
    this.onFinished = []
  }

  /** The park loop ends and the `socket` app completes (with the last app's response, as in the capture). */
  private socketAppReturns(): void {
    this.emit('CHANNEL_UNPARK', [], ['switch_ivr.c', 'switch_ivr_park', 1258])
    this.emit(
      'CHANNEL_EXECUTE_COMPLETE',
      [
        ['Application', 'socket'],
        ['Application-Data', this.socketData],
        ['Application-Response', this.lastResponse],
        ['Application-UUID', this.rng.uuid()],
      ],
      ['switch_core_session.c', 'switch_core_session_exec', 2972],
    )
  }

  /**
   * The daemon's socket closed while the call is up (its process died, or it sent `exit` without hanging up).
   * Seen on the real FreeSWITCH (test/integration/conformance.test.ts): the app running at that moment goes on to
   * its own end (a `record` until the caller hangs up, silence or its limit; a prompt to its last sample); messages
   * still queued never run; then the `socket` app returns and the dialplan continues with its next action, which
   * in the shipped snippets (freeswitch-xml/) is `hangup`.
   */
  socketClosed(): void {
    if (!this.controlled || this.finished) return
    this.controlled = false
    this.queue.length = 0
    if (this.hungUp || this.running !== undefined) return
    this.leaveSocket()
  }

  private leaveSocket(): void {
    if (this.hungUp || this.socketReturned !== undefined) return
    this.parkTimer?.cancel()
    this.socketAppReturns()
    const appUuid = this.rng.uuid()
    this.socketReturned = appUuid
    this.channel.setVar('current_application', 'hangup')
    this.emit(
      'CHANNEL_EXECUTE',
      [
        ['Application', 'hangup'],
        ['Application-UUID', appUuid],
      ],
      ['switch_core_session.c', 'switch_core_session_exec', 2949],
    )
    this.hangup('NORMAL_CLEARING')
  }

  /** Resolve once CHANNEL_HANGUP_COMPLETE has fired. */
  whenFinished(fn: () => void): void {
    if (this.finished) fn()
    else this.onFinished.push(fn)
  }

  /** flush_dtmf: drop queued digits without events. */
  flushDigits(): void {
    // Flushed digits still go to the DTMF log (switch_channel_flush_dtmf).
    this.dtmfLog += this.digits.map((x) => x.d).join('')
    this.digits.length = 0
  }

  // ChannelApi (uuid_* commands)
  getVar(name: string): string | undefined {
    return this.channel.getVar(name)
  }
  setVar(name: string, value: string): void {
    this.channel.setVar(name, value)
  }
  breakMedia(_all: boolean): void {
    const w = this.wait
    if (w !== undefined) this.endWait({ endedBy: 'break', elapsedMs: Math.max(0, this.now() - w.startAt) })
  }
  kill(cause: string): void {
    this.hangup(cause)
  }
}

/**
 * `digits_dialed` as FS builds it at hangup (ch.c:4538–4595): the DTMF log, or `none`; with
 * `digits_dialed_filter` set, every substring its regex captures (group 0 included) is replaced by as many `X`.
 */
export function digitsDialed(log: string, filter: string | undefined): string {
  if (log === '') return 'none'
  if (filter === undefined || filter === '') return log
  let match: RegExpExecArray | null
  try {
    match = new RegExp(filter).exec(log)
  } catch {
    return log
  }
  let out = log
  for (const group of match ?? []) {
    if (group !== undefined && group !== '') out = out.replaceAll(group, 'X'.repeat(group.length))
  }
  return out
}

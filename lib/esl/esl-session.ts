import { randomUUID } from 'node:crypto'
import type { Socket } from 'node:net'
import type { Logger } from '../log.js'
import { EslCommandError, EslTimeoutError, HangupError } from './errors.js'
import { header } from './event-headers.js'
import type { Connection, EslEvent, RawHeaders } from './modesl-patched.js'
import { awaitReply } from './await-reply.js'

export interface ExecuteOptions {
  timeoutMs: number
  /**
   * After CHANNEL_HANGUP, keep waiting this long for the app's own completion instead of failing at once (record:
   * its final RECORD_STOP / EXECUTE_COMPLETE carry `record_ms`; they arrive because we sent `linger`, §1.5).
   */
  hangupGraceMs?: number
  /**
   * Send `event-lock: true`: FreeSWITCH pops no other queued message while this one runs (§1.3). Only for short
   * apps queued ahead of another (the `set` before a playback): on a media app it would also hold back a
   * `call-command: hangup` until the media ended.
   */
  lock?: boolean
  /**
   * Digits the app itself takes from the caller: the DTMF events FreeSWITCH fires (at dequeue, switch_channel.c
   * `switch_channel_dequeue_dtmf`) between the app's CHANNEL_EXECUTE and its CHANNEL_EXECUTE_COMPLETE. Digits the
   * parked channel ate before the app started fire before its CHANNEL_EXECUTE and are not reported.
   */
  dtmf?: (digit: string) => void
}

interface PendingExecute {
  complete(event: EslEvent): void
  hangup(): void
  close(): void
  /** Its CHANNEL_EXECUTE has arrived (the app is running). */
  started: boolean
  dtmf: ((digit: string) => void) | undefined
}

type EventHandler = (event: EslEvent) => void

/**
 * The transport of one outbound-socket call: commands with their replies, `sendmsg execute` with its
 * CHANNEL_EXECUTE_COMPLETE, and the call's hangup/close state. `EslCall` builds the voicemail-level `Call` on top.
 *
 * Why not modesl's `execute()`: it writes with `send()`, so its `+OK` pops the next `sendRecv` callback (reply
 * stealing, esl-protocol.md §5 bug 1); it sends `execute-app-arg: undefined` without an arg (bug 2); its callback
 * never fires on hangup or close and its listener is never removed (bug 3). Here every command goes through
 * `sendRecv` (one reply per command, FIFO), and every execute is raced against CHANNEL_HANGUP, the raw socket
 * `close` (modesl's `esl::end` misses error/reset closes, bug 4) and a timeout, and cleans up after itself.
 */
export class EslSession {
  /** Set from CHANNEL_DATA; events of other channels are ignored (defence in depth on top of `myevents`). */
  uuid: string | undefined
  hungUp = false
  closed = false
  hangupCause: string | undefined
  readonly ended: Promise<void>
  /** Resolves when the socket has closed (FreeSWITCH closes after `exit`, §1.5). */
  readonly closedPromise: Promise<void>

  private resolveEnded!: () => void
  private resolveClosed!: () => void
  private readonly executes = new Map<string, PendingExecute>()
  private readonly commands = new Set<() => void>()
  private readonly handlers = new Map<string, Set<EventHandler>>()

  constructor(
    readonly conn: Connection,
    readonly socket: Socket,
    private readonly log: Logger,
  ) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve))
    this.closedPromise = new Promise((resolve) => (this.resolveClosed = resolve))
    conn.on('esl::event::**', (event: EslEvent, headers?: RawHeaders) => {
      if (headers !== undefined) this.onFrame(event, headers)
    })
    socket.on('close', () => this.onClose())
  }

  /** Subscribe to one event name of this channel (e.g. RECORD_STOP). Returns the unsubscribe function. */
  on(name: string, handler: EventHandler): () => void {
    let set = this.handlers.get(name)
    if (set === undefined) this.handlers.set(name, (set = new Set()))
    set.add(handler)
    return () => set.delete(handler)
  }

  /**
   * Send a command and wait for its command/reply. Resolves with Reply-Text (`+OK …`). Throws EslCommandError on
   * `-ERR …`, EslTimeoutError after `timeoutMs`, HangupError when the socket is (or becomes) closed.
   */
  command(command: string, headers: Record<string, string> | null, timeoutMs: number): Promise<string> {
    const label = command.split(' ')[0] ?? command
    if (this.closed) return Promise.reject(new HangupError(this.uuid ?? 'unknown', label))
    return awaitReply(
      this.commands,
      label,
      timeoutMs,
      () => new HangupError(this.uuid ?? 'unknown', label),
      (done, fail) => {
        // A reply that arrives after a timeout still pops this callback, keeping the FIFO aligned.
        this.conn.sendRecv(command, headers, (event) => {
          const reply = header(event, 'Reply-Text') ?? ''
          if (reply.startsWith('-ERR')) fail(new EslCommandError(label, reply))
          else done(reply)
        })
      },
    )
  }

  /**
   * `api <command>` on this call's own socket (allowed with `full`): resolves with the response body (`-ERR …`
   * included: callers decide). modesl queues api/response callbacks apart from command/reply ones, so this never
   * shifts `command()` replies. Throws EslTimeoutError, or HangupError when the socket is (or becomes) closed.
   */
  api(command: string, timeoutMs: number): Promise<string> {
    const label = `api ${command.split(' ')[0] ?? ''}`
    if (this.closed) return Promise.reject(new HangupError(this.uuid ?? 'unknown', label))
    if (/[\r\n]/.test(command)) return Promise.reject(new EslCommandError(label, 'command contains CR/LF'))
    return awaitReply(
      this.commands,
      label,
      timeoutMs,
      () => new HangupError(this.uuid ?? 'unknown', label),
      (done) => this.conn.api(command, (event) => done(event.getBody())),
    )
  }

  /**
   * `sendmsg` + `call-command: execute`, resolved with the app's CHANNEL_EXECUTE_COMPLETE (matched by the
   * Event-UUID we choose, which FreeSWITCH returns as Application-UUID, §1.3). Throws HangupError when the call is
   * gone or goes away first, EslTimeoutError, or EslCommandError when FreeSWITCH refuses the message.
   *
   * `arg` goes to FreeSWITCH as is and FreeSWITCH expands `${…}` in it: never pass caller-controlled text. A CR or
   * LF would end the header and inject a command, so it is refused here.
   */
  execute(app: string, arg: string, options: ExecuteOptions): Promise<EslEvent> {
    const uuid = this.uuid ?? 'unknown'
    if (this.hungUp || this.closed) return Promise.reject(new HangupError(uuid, app))
    if (/[\r\n]/.test(app + arg)) return Promise.reject(new EslCommandError(app, 'argument contains CR/LF'))
    const eventUuid = randomUUID()
    const headers: Record<string, string> = { 'call-command': 'execute', 'execute-app-name': app }
    // No empty `execute-app-arg` header: FreeSWITCH takes an absent arg as none (the capture's `answer`).
    if (arg !== '') headers['execute-app-arg'] = arg
    if (options.lock === true) headers['event-lock'] = 'true'
    headers['Event-UUID'] = eventUuid
    this.log.debug({ app, arg }, 'execute')

    return new Promise((resolve, reject) => {
      let settled = false
      let grace: NodeJS.Timeout | undefined
      const settle = (fn: () => void): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        clearTimeout(grace)
        this.executes.delete(eventUuid)
        fn()
      }
      const gone = (): void => settle(() => reject(new HangupError(uuid, app)))
      const timer = setTimeout(
        () => settle(() => reject(new EslTimeoutError(app, options.timeoutMs))),
        options.timeoutMs,
      )
      this.executes.set(eventUuid, {
        complete: (event) => settle(() => resolve(event)),
        hangup: () => {
          if (options.hangupGraceMs === undefined) gone()
          else grace ??= setTimeout(gone, options.hangupGraceMs)
        },
        close: gone,
        started: false,
        dtmf: options.dtmf,
      })
      this.command('sendmsg', headers, options.timeoutMs).catch((err: unknown) =>
        settle(() => reject(err instanceof Error ? err : new Error(String(err)))),
      )
    })
  }

  /** Close the socket now (after `exit`, or to drop a misbehaving peer). */
  destroy(): void {
    this.socket.destroy()
  }

  private onFrame(event: EslEvent, headers: RawHeaders): void {
    const type = headers['Content-Type']
    if (type === 'text/disconnect-notice') {
      // `linger`: the channel is down, events keep coming; `disconnect`: FreeSWITCH closes next (§1.5).
      this.markHungUp(undefined)
      return
    }
    if (type !== 'text/event-json' && type !== 'text/event-plain') return
    const name = header(event, 'Event-Name')
    const owner = header(event, 'Unique-ID')
    if (name === undefined || (owner !== undefined && this.uuid !== undefined && owner !== this.uuid)) return
    if (name === 'CHANNEL_EXECUTE' || name === 'CHANNEL_EXECUTE_COMPLETE') {
      const appUuid = header(event, 'Application-UUID')
      const pending = appUuid === undefined ? undefined : this.executes.get(appUuid)
      // (None for an app the dialplan ran, or one already settled.)
      if (pending !== undefined) {
        if (name === 'CHANNEL_EXECUTE') pending.started = true
        else pending.complete(event)
      }
    } else if (name === 'DTMF') {
      const digit = header(event, 'DTMF-Digit')
      for (const pending of this.executes.values()) {
        if (pending.started && digit !== undefined) pending.dtmf?.(digit)
      }
    }
    for (const handler of this.handlers.get(name) ?? []) handler(event)
    if (name === 'CHANNEL_HANGUP' || name === 'CHANNEL_HANGUP_COMPLETE') {
      this.markHungUp(header(event, 'Hangup-Cause'))
    }
  }

  private markHungUp(cause: string | undefined): void {
    this.hangupCause ??= cause
    if (this.hungUp) return
    this.hungUp = true
    this.log.debug({ cause }, 'channel hung up')
    for (const pending of [...this.executes.values()]) pending.hangup()
    this.resolveEnded()
  }

  private onClose(): void {
    if (this.closed) return
    this.closed = true
    this.hungUp = true
    for (const pending of [...this.executes.values()]) pending.close()
    for (const reject of [...this.commands]) reject()
    this.resolveEnded()
    this.resolveClosed()
  }
}

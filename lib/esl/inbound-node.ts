import type { Socket } from 'node:net'
import type { FreeswitchNode } from '../config/types.js'
import type { Logger } from '../log.js'
import { EslCommandError, EslConnectionError } from './errors.js'
import { header, toFsEvent } from './event-headers.js'
import type { FsEvent } from './link.js'
import { Connection, type EslEvent, type RawHeaders } from './modesl-patched.js'
import { awaitReply } from './await-reply.js'

/** Timer functions, injectable so tests (or a future clock) control reconnect delays. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export const systemTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
}

export interface InboundNodeOptions {
  /** First reconnect delay; doubles per failed attempt up to `maxBackoffMs`, with ±25 % jitter. */
  initialBackoffMs: number
  maxBackoffMs: number
  /** TCP connect + auth + subscription must finish within this. */
  connectTimeoutMs: number
  random: () => number
  timers: Timers
  /** Event names to subscribe to right after auth (read at each connect). */
  subscriptions: () => readonly string[]
  onReady: (node: string) => void
  onEvent: (event: FsEvent, node: string) => void
}

/**
 * One inbound Event Socket connection (daemon → FreeSWITCH :8021), reconnected forever (modesl has no
 * reconnect, esl-protocol.md §5 bug 8). modesl answers `auth/request` itself and, on `+OK accepted`, subscribes
 * `event json BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE` and emits `esl::ready`. We then send
 * `nixevent CHANNEL_EXECUTE_COMPLETE BACKGROUND_JOB` (otherwise every call's completions flow here, bug 7, and
 * every `bgapi` result of every Event Socket client: FreeSWITCH sends BACKGROUND_JOB to all subscribers; the daemon
 * never uses `bgapi`) and our own `event json …`. FreeSWITCH keeps no state per client, so all of this is redone after every reconnect (§2).
 *
 * Commands go through `sendRecv` (command/reply FIFO) and `api` (api/response FIFO) only; modesl's `send()` is
 * never used, so no reply is ever stolen (bug 1).
 */
export class InboundNode {
  readonly name: string
  ready = false
  private conn: Connection | undefined
  private socket: Socket | undefined
  private attempt = 0
  private retry: unknown
  private stopped = false
  private readonly pending = new Set<() => void>()

  constructor(
    private readonly node: FreeswitchNode,
    private readonly log: Logger,
    private readonly options: InboundNodeOptions,
  ) {
    this.name = `${node.host}:${node.port}`
  }

  start(): void {
    this.stopped = false
    if (this.socket === undefined) this.connect()
  }

  /** Stop reconnecting and close. Pending commands fail with EslConnectionError. */
  async close(): Promise<void> {
    this.stopped = true
    this.options.timers.clearTimeout(this.retry)
    const socket = this.socket
    if (socket === undefined || socket.destroyed) return
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
    socket.end('exit\n\n')
    setTimeout(() => socket.destroy(), 1000).unref()
    await closed
  }

  /** `api <command>`: resolves with the response body. */
  api(command: string, timeoutMs: number): Promise<string> {
    return this.request(`api ${command}`, timeoutMs, (conn, done) =>
      conn.api(command, (e) => done(e.getBody())),
    )
  }

  /** Any command with a command/reply (`sendevent …`, `event …`): resolves with Reply-Text, `-ERR` rejects. */
  command(command: string, timeoutMs: number): Promise<string> {
    const label = command.split(/\s/)[0] ?? command
    return this.request(label, timeoutMs, (conn, done, fail) =>
      conn.sendRecv(command, (event) => {
        const reply = header(event, 'Reply-Text') ?? ''
        if (reply.startsWith('-ERR')) fail(new EslCommandError(label, reply))
        else done(reply)
      }),
    )
  }

  private request(
    label: string,
    timeoutMs: number,
    send: (conn: Connection, done: (value: string) => void, fail: (err: Error) => void) => void,
  ): Promise<string> {
    const conn = this.conn
    if (conn === undefined || this.socket?.destroyed !== false) {
      return Promise.reject(new EslConnectionError(`FreeSWITCH ${this.name} is not connected`))
    }
    // A late reply still pops this callback (ignored), which keeps the FIFO aligned for the next command.
    return awaitReply(
      this.pending,
      label,
      timeoutMs,
      () => new EslConnectionError(`FreeSWITCH ${this.name} disconnected during ${label}`),
      (done, fail) => send(conn, done, fail),
    )
  }

  private connect(): void {
    const { host, port, password } = this.node
    const log = this.log
    const conn = new Connection(host, port, password)
    const socket = conn.socket
    if (socket === null) return
    // Without it Nagle holds each `sendevent` behind the previous one's delayed ACK (~40 ms on Linux): a lamp burst
    // after many commits waited in the kernel, not in FreeSWITCH (measured by `npm run bench`, BENCHMARKS.md).
    socket.setNoDelay(true)
    this.conn = conn
    this.socket = socket
    const giveUp = setTimeout(() => {
      log.warn({ node: this.name }, 'FreeSWITCH event socket did not become ready in time')
      socket.destroy()
    }, this.options.connectTimeoutMs)
    conn.on('error', (err: Error) => {
      // A node that stays down fails every attempt: warn once, then keep the retries at debug.
      if (this.attempt === 0) log.warn({ node: this.name, err }, 'FreeSWITCH event socket error')
      else log.debug({ node: this.name, err, attempt: this.attempt }, 'FreeSWITCH event socket error')
      socket.destroy()
    })
    conn.on('esl::event::auth::fail', () => {
      log.error(
        { node: this.name },
        'FreeSWITCH refused the event socket password (check freeswitch[].password)',
      )
    })
    conn.on('esl::event::raw::text/rude-rejection', () => {
      log.error(
        { node: this.name },
        'FreeSWITCH refused the connection by ACL (event_socket apply-inbound-acl)',
      )
    })
    conn.once('esl::ready', () => {
      this.subscribe(conn).then(
        () => {
          clearTimeout(giveUp)
          this.ready = true
          this.attempt = 0
          log.info({ node: this.name }, 'FreeSWITCH event socket connected')
          this.options.onReady(this.name)
        },
        (err: unknown) => {
          log.warn({ node: this.name, err }, 'FreeSWITCH event subscription failed')
          socket.destroy()
        },
      )
    })
    conn.on('esl::event::**', (event: EslEvent, headers?: RawHeaders) => {
      const type = headers?.['Content-Type']
      if (type !== 'text/event-json' && type !== 'text/event-plain') return
      const fsEvent = toFsEvent(event)
      if (fsEvent !== undefined) this.options.onEvent(fsEvent, this.name)
    })
    socket.on('close', () => {
      clearTimeout(giveUp)
      const wasReady = this.ready
      this.ready = false
      this.conn = undefined
      this.socket = undefined
      for (const reject of [...this.pending]) reject()
      // Our own close (the daemon stopping, a voicemailctl command ending) is routine; FreeSWITCH going away is not.
      if (wasReady && this.stopped) log.info({ node: this.name }, 'FreeSWITCH event socket disconnected')
      else if (wasReady) log.warn({ node: this.name }, 'FreeSWITCH event socket disconnected')
      if (!this.stopped) this.scheduleReconnect()
    })
  }

  private async subscribe(conn: Connection): Promise<void> {
    if (this.conn !== conn) throw new EslConnectionError('superseded connection')
    await this.command('nixevent CHANNEL_EXECUTE_COMPLETE BACKGROUND_JOB', this.options.connectTimeoutMs)
    const names = this.options.subscriptions()
    if (names.length > 0) await this.command(`event json ${names.join(' ')}`, this.options.connectTimeoutMs)
  }

  private scheduleReconnect(): void {
    const { initialBackoffMs, maxBackoffMs, random, timers } = this.options
    const base = Math.min(maxBackoffMs, initialBackoffMs * 2 ** Math.min(this.attempt, 30))
    const delay = Math.round(base * (0.75 + random() * 0.5))
    this.attempt += 1
    this.log.debug({ node: this.name, attempt: this.attempt, delay }, 'FreeSWITCH reconnect scheduled')
    this.retry = timers.setTimeout(() => {
      if (!this.stopped) this.connect()
    }, delay)
  }
}

/**
 * FreeSWITCH's `socket` application for one call (`socket <daemon> async full`): connects to the daemon, waits
 * for `connect`, then speaks mod_event_socket's outbound dialect (brief §1) and records a transcript.
 */
import { connect, type Socket } from 'node:net'
import { ChunkedWriter, type ChunkingMode } from './chunked-writer.js'
import { CommandParser, matchesWord, splitCommand, type DaemonCommand } from './command-parser.js'
import {
  apiResponse,
  commandReply,
  connectReply,
  disconnectNotice,
  headerOf,
  lingerNotice,
} from './frames.js'
import type { CallSession } from './call-session.js'
import type { EventSubscriber, FsNode, RoutedEvent } from './node.js'
import { runApi, type ApiContext } from './api-commands.js'
import { publishJob } from './background-job.js'
import { MYEVENTS, NON_FULL } from './outbound-dialect.js'
import type { OutboundTranscript } from './outbound-transcript.js'
import type { Rng } from './rng.js'
import { frameFor, Subscription } from './subscription.js'

export interface OutboundOptions {
  /** Real ms to wait for the daemon's first command (FS: 25 s, mes.c:2712). */
  connectTimeoutMs: number
  /** `full` (default) or `single-channel` (no `full` in the dialplan: the non-full whitelist applies). */
  control: 'full' | 'single-channel'
  chunking: ChunkingMode
  /** Send malformed `%` raw in url-encoded values. */
  rawPercent: boolean
  /** Keep every sent frame in the transcript (turn off in the benchmark). */
  keepFrames: boolean
  api: ApiContext
}

export class OutboundConnection implements EventSubscriber {
  readonly transcript: OutboundTranscript
  private socket!: Socket
  private writer!: ChunkedWriter
  private readonly parser = new CommandParser()
  private readonly sub = new Subscription()
  private gotFirst = false
  /** While an api command runs: what to write after its response. */
  private held: Array<() => void> | undefined
  private myevents = false
  private linger: number | undefined
  private lingerNoticeSent = false
  private closing = false
  private connectTimer: NodeJS.Timeout | undefined
  private closedResolve!: () => void
  /** Resolves when the socket is closed (by either side). */
  readonly closed: Promise<void> = new Promise((r) => (this.closedResolve = r))

  constructor(
    readonly node: FsNode,
    readonly session: CallSession,
    /** This connection's random stream (chunking, linger-notice placement, uuids). */
    private readonly rng: Rng,
    readonly opts: OutboundOptions,
  ) {
    this.transcript = {
      commands: [],
      executes: [],
      frames: [],
      recordedFiles: session.recordedFiles,
      exitReceived: false,
      closedBy: undefined,
      violations: [],
    }
  }

  /** Dial the daemon's outbound listener. Resolves once TCP is up (FS then sends nothing). */
  start(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true, keepAlive: true })
      this.socket = socket
      this.writer = new ChunkedWriter(socket, { mode: this.opts.chunking, rng: this.rng })
      socket.once('connect', () => {
        this.connectTimer = setTimeout(() => {
          this.transcript.violations.push('no command within the connect timeout')
          this.finish('freeswitch')
        }, this.opts.connectTimeoutMs)
        resolve()
      })
      socket.once('error', (err) => {
        if (!this.gotFirst && this.transcript.commands.length === 0 && socket.connecting) reject(err)
      })
      socket.on('data', (chunk: Buffer) => this.onData(chunk))
      socket.on('end', () => {
        if (this.transcript.closedBy === undefined) this.transcript.closedBy = 'daemon'
        // The daemon went away: FS's listener exits, but the call goes on (see CallSession.socketClosed).
        this.finish(this.transcript.closedBy)
        this.session.socketClosed()
      })
      socket.on('close', () => {
        if (this.transcript.closedBy === undefined) this.transcript.closedBy = 'daemon'
        clearTimeout(this.connectTimer)
        this.node.unsubscribe(this)
        // After our own RST (a crashing FreeSWITCH) the call is gone with it.
        if (this.transcript.closedBy === 'reset') this.session.hangup('NORMAL_CLEARING')
        else this.session.socketClosed()
        this.closedResolve()
      })
    })
  }

  private send(kind: string, label: string, raw: Buffer): void {
    if (this.closing || this.writer.isClosed) return
    if (this.opts.keepFrames) this.transcript.frames.push({ kind, label, raw, at: this.node.simNow() })
    this.writer.write(raw)
  }

  private reply(text: string): void {
    this.send('reply', text, commandReply(text))
  }

  deliver(ev: RoutedEvent): void {
    if (this.held !== undefined) {
      this.held.push(() => this.deliver(ev))
      return
    }
    if (this.closing || !this.sub.wants(ev)) return
    if (this.myevents && ev.uuid !== this.session.channel.uuid && ev.jobOwner !== this.session.channel.uuid)
      return
    const own = ev.uuid === this.session.channel.uuid
    // The linger notice may come before or after CHANNEL_HANGUP: events flush just before the check (mes.c:1473).
    const noticeFirst =
      own && ev.name === 'CHANNEL_HANGUP' && this.linger !== undefined && this.rng.next() < 0.5
    if (noticeFirst) this.sendLingerNotice()
    this.send('event', ev.name, frameFor(ev, this.sub.format, { rawPercent: this.opts.rawPercent }))
  }

  /** Called by the session the moment the channel goes down. */
  channelDown(): void {
    if (this.held !== undefined) {
      this.held.push(() => this.channelDown())
      return
    }
    if (this.closing) return
    if (!this.gotFirst) {
      // Hung up before the daemon spoke: FS still ends the socket with the disconnect notice.
      this.sendDisconnect()
      return
    }
    if (this.linger === undefined) {
      // No linger: flush what is queued right now, then the notice and close; later events are lost (§1.5).
      this.sendDisconnect()
      return
    }
    this.sendLingerNotice()
  }

  private sendLingerNotice(): void {
    if (this.lingerNoticeSent || this.linger === undefined) return
    this.lingerNoticeSent = true
    const ch = this.session.channel
    this.send('linger-notice', 'linger', lingerNotice(ch.uuid, ch.profile.channelName, this.linger))
    if (this.linger >= 0)
      this.node.at(this.node.simNow() + this.linger * 1000, () => this.sendDisconnectIfOpen())
  }

  private sendDisconnectIfOpen(): void {
    if (!this.closing) this.sendDisconnect()
  }

  private sendDisconnect(): void {
    this.send('disconnect-notice', 'disconnect', disconnectNotice(this.session.channel.uuid))
    this.finish('freeswitch')
  }

  /** FS closes its side after whatever is queued (FIN). */
  private finish(by: 'daemon' | 'freeswitch' | 'reset'): void {
    if (this.closing) return
    this.closing = true
    if (this.transcript.closedBy === undefined) this.transcript.closedBy = by
    clearTimeout(this.connectTimer)
    this.node.unsubscribe(this)
    this.writer.end()
  }

  /** Abrupt RST with no notice (checklist 13). */
  reset(): void {
    if (this.transcript.closedBy === undefined) this.transcript.closedBy = 'reset'
    this.closing = true
    this.node.unsubscribe(this)
    this.writer.reset()
  }

  private onData(chunk: Buffer): void {
    let cmds: DaemonCommand[]
    try {
      cmds = this.parser.push(chunk)
    } catch (err) {
      this.transcript.violations.push(String(err))
      this.reset()
      return
    }
    for (const c of cmds) this.handle(c)
  }

  private handle(c: DaemonCommand): void {
    if (this.closing) return
    this.transcript.commands.push(c)
    const first = !this.gotFirst
    if (first) {
      this.gotFirst = true
      clearTimeout(this.connectTimer)
      if (!matchesWord(c.line, 'connect')) {
        // The first command is parsed but its reply is never written (mes.c:2707–2725).
        this.transcript.violations.push(`first command was not connect: ${c.line}`)
        this.dispatch(c, true)
        return
      }
    }
    this.dispatch(c, false)
  }

  private dispatch(c: DaemonCommand, silent: boolean): void {
    const line = c.line
    const reply = (t: string): void => {
      if (!silent) this.reply(t)
    }
    const full = this.opts.control === 'full'
    if (!full && !NON_FULL.some((w) => matchesWord(line, w))) {
      reply('-ERR command not found')
      return
    }
    const [, rest] = splitCommand(line)
    const ch = this.session.channel
    if (matchesWord(line, 'connect')) {
      this.send(
        'connect',
        'CHANNEL_DATA',
        connectReply(ch.channelData(), 'async', this.opts.control, {
          rawPercent: this.opts.rawPercent,
        }),
      )
    } else if (matchesWord(line, 'exit')) {
      this.transcript.exitReceived = true
      reply('+OK bye')
      this.sendDisconnect()
    } else if (matchesWord(line, 'myevents')) {
      if (this.myevents) return reply('-ERR aready enabled.') // sic, mes.c:2065
      this.myevents = true
      const fmt = rest.trim().toLowerCase()
      if (fmt === 'json' || fmt === 'plain') this.sub.format = fmt
      for (const n of MYEVENTS) this.sub.names.add(n)
      this.node.unsubscribe(this)
      this.node.subscribeUuid(ch.uuid, this)
      reply('+OK Events Enabled')
    } else if (matchesWord(line, 'nolinger')) {
      this.linger = undefined
      reply('+OK will not linger')
    } else if (matchesWord(line, 'linger')) {
      const n = Number.parseInt(rest, 10)
      this.linger = Number.isNaN(n) || n <= 0 ? -1 : n
      reply(this.linger > 0 ? `+OK will linger ${this.linger} seconds` : '+OK will linger')
    } else if (matchesWord(line, 'nixevent')) {
      reply(this.sub.nixevent(rest))
    } else if (matchesWord(line, 'noevents')) {
      reply(this.sub.noevents())
    } else if (matchesWord(line, 'event')) {
      const r = this.sub.event(rest)
      if (!this.myevents && this.sub.active) this.node.subscribeAll(this)
      reply(r)
    } else if (matchesWord(line, 'filter')) {
      reply(this.sub.filter(rest))
    } else if (matchesWord(line, 'getvar')) {
      const v = ch.getVar(rest.trim())
      reply(v === undefined ? '-ERR command not found' : v)
    } else if (matchesWord(line, 'resume')) {
      reply('+OK')
    } else if (matchesWord(line, 'divert_events')) {
      reply('+OK events diverted')
    } else if (matchesWord(line, 'sendmsg')) {
      this.sendmsg(c, rest.trim(), reply)
    } else if (matchesWord(line, 'bgapi')) {
      const jobUuid = headerOf(c.headers, 'Job-UUID') ?? this.rng.uuid()
      if (!silent)
        this.send('reply', '+OK Job-UUID', commandReply(`+OK Job-UUID: ${jobUuid}`, [['Job-UUID', jobUuid]]))
      // bgapi runs in its own thread after the reply (mes.c:2333–2392).
      setImmediate(() => publishJob(this.node, jobUuid, rest, runApi(this.opts.api, rest), ch.uuid))
    } else if (matchesWord(line, 'api')) {
      // api runs in the listener thread: nothing else is written before its response (mes.c:2288–2332).
      const held: Array<() => void> = []
      this.held = held
      const body = runApi(this.opts.api, rest)
      if (!silent) this.send('api', rest, apiResponse(body))
      this.held = undefined
      for (const f of held) f()
    } else {
      reply('-ERR command not found')
    }
  }

  private sendmsg(c: DaemonCommand, uuid: string, reply: (t: string) => void): void {
    const h = (n: string): string | undefined => headerOf(c.headers, n)
    const target =
      uuid === '' || uuid === this.session.channel.uuid ? this.session : this.node.channels.get(uuid)
    if (target === undefined) return reply('-ERR invalid session id [' + uuid + ']')
    const cmd = (h('call-command') ?? '').toLowerCase()
    if (cmd === 'execute') {
      const app = h('execute-app-name') ?? ''
      let arg = h('execute-app-arg')
      if (
        arg === undefined &&
        c.body !== undefined &&
        (h('content-type') ?? '').toLowerCase() === 'text/plain'
      )
        arg = c.body.toString('utf8')
      const appUuid = h('Event-UUID') ?? this.rng.uuid()
      this.transcript.executes.push({ app, arg: arg ?? '', appUuid })
      reply('+OK')
      ;(target as CallSession).execute({
        app,
        arg: arg ?? '',
        appUuid,
        eventLock: h('event-lock') === 'true',
      })
    } else if (cmd === 'hangup') {
      reply('+OK')
      ;(target as CallSession).hangup(h('hangup-cause') ?? 'NORMAL_CLEARING')
    } else {
      reply('+OK')
    }
  }
}

export type { OutboundTranscript, SentFrame } from './outbound-transcript.js'
export { publishJob } from './background-job.js'

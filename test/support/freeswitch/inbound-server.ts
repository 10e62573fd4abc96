/**
 * FreeSWITCH's inbound event socket (port 8021 in real life; 127.0.0.1:0 here), brief §2: `auth/request` first,
 * `auth`, `api` (synchronous: no event is written before its response), `bgapi`, `event`/`nixevent`/`filter`,
 * `sendevent` (captured, checked for daemon bugs, echoed to subscribers, MESSAGE_WAITING handed to the registrar),
 * `exit`. `stop()` / `restart()` (same port) let tests prove the daemon reconnects.
 */
import { createServer, type Server, type Socket } from 'node:net'
import { ChunkedWriter, type ChunkingMode } from './chunked-writer.js'
import { CommandParser, matchesWord, splitCommand, type DaemonCommand } from './command-parser.js'
import {
  apiResponse,
  authRequest,
  commandReply,
  headerOf,
  inboundDisconnectNotice,
  type Header,
} from './frames.js'
import type { EventSubscriber, FsNode, RoutedEvent } from './node.js'
import { runApi, type ApiContext } from './api-commands.js'
import { publishJob } from './background-job.js'
import type { Registrar } from './registrar.js'
import { frameFor, Subscription } from './subscription.js'

export interface InboundOptions {
  /** Default `ClueCon`. */
  password?: string
  /** Directory for `user_exists id <user> <domain>`, as `user@domain`. */
  users?: Iterable<string>
  /** Default 127.0.0.1. */
  host?: string
  /** Default 0 (ephemeral). */
  port?: number
  chunking?: ChunkingMode
  /** Extra api commands (return undefined to fall through to the built-ins). */
  api?: (cmd: string, args: string) => string | undefined
  /** `global_getvar` values. Default: vanilla's `domain` (the local IP), `127.0.0.1` here. */
  globals?: Record<string, string>
  /** `xml_locate <section>` replies; a section not given answers FS's "can't find anything". */
  xml?: Record<string, string>
}

/** A `sendevent` the daemon fired, with its headers raw as sent. */
export interface SentEvent {
  name: string
  headers: Header[]
  body?: string
  eventUuid: string
}

export class InboundServer {
  private server: Server | undefined
  private readonly conns = new Set<InboundConnection>()
  private readonly users: Set<string>
  readonly sentEvents: SentEvent[] = []
  /** Daemon bugs that real FS would silently mishandle (url-encoded values, newlines in values, …). */
  readonly violations: string[] = []
  /** Number of successful `auth`s so far (a reconnect shows as a second one). */
  authCount = 0
  host: string
  port: number
  readonly password: string

  constructor(
    readonly node: FsNode,
    readonly registrar: Registrar,
    private readonly opts: InboundOptions = {},
  ) {
    this.host = opts.host ?? '127.0.0.1'
    this.port = opts.port ?? 0
    this.password = opts.password ?? 'ClueCon'
    this.users = new Set(opts.users ?? [])
  }

  /** Add a user to the directory (`user_exists` → true). */
  addUser(userAtDomain: string): void {
    this.users.add(userAtDomain)
  }

  get connectionCount(): number {
    return this.conns.size
  }

  get apiContext(): ApiContext {
    const ctx: ApiContext = {
      node: this.node,
      userExists: (u, d) => this.users.has(`${u}@${d}`),
      globals: new Map(Object.entries(this.opts.globals ?? { domain: '127.0.0.1' })),
      xml: this.opts.xml ?? {},
    }
    if (this.opts.api !== undefined) ctx.extra = this.opts.api
    return ctx
  }

  /** Listen; resolves with the bound port. On restart the same port is reused. */
  async start(): Promise<number> {
    const server = createServer((s) => this.accept(s))
    this.server = server
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.port, this.host, () => resolve())
    })
    const a = server.address()
    if (typeof a === 'object' && a !== null) this.port = a.port
    return this.port
  }

  /**
   * Stop listening and drop every connection: `graceful` sends FS's shutdown notice first
   * ("The system is being shut down.\n", mes.c:676–686); otherwise an abrupt RST.
   */
  async stop(opts: { graceful?: boolean } = {}): Promise<void> {
    const server = this.server
    this.server = undefined
    for (const c of this.conns) c.drop(opts.graceful === true)
    this.conns.clear()
    if (server !== undefined) await new Promise<void>((r) => server.close(() => r()))
  }

  /** Stop, then listen again on the same port. */
  async restart(opts: { graceful?: boolean } = {}): Promise<void> {
    await this.stop(opts)
    await this.start()
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true)
    const c = new InboundConnection(this, socket, this.opts.chunking ?? 'random')
    this.conns.add(c)
    socket.on('close', () => this.conns.delete(c))
  }

  /** @internal */
  recordSendevent(c: DaemonCommand, name: string): SentEvent {
    const eventUuid = this.node.rng.uuid()
    const headers: Header[] = c.headers.filter(([k]) => k.toLowerCase() !== 'content-length')
    for (const l of c.malformed ?? [])
      this.violations.push(`newline in a sendevent ${name} value: ${JSON.stringify(l)}`)
    for (const [k, v] of headers) {
      // A value sent url-encoded reaches sofia literally: `sip%3A1000%40pbx.test` matches no account.
      if (/%[0-9A-Fa-f]{2}/.test(v) && /^(MWI-|Message-Account)/i.test(k))
        this.violations.push(`url-encoded value in sendevent ${name}: ${k}: ${v}`)
    }
    const ev: SentEvent = { name, headers, eventUuid }
    if (c.body !== undefined) ev.body = c.body.toString('utf8')
    this.sentEvents.push(ev)
    return ev
  }
}

class InboundConnection implements EventSubscriber {
  private readonly writer: ChunkedWriter
  private readonly parser = new CommandParser()
  private readonly sub = new Subscription()
  private authed = false
  /** Events published while an api command runs, written after its response. */
  private held: RoutedEvent[] | undefined
  private closing = false

  constructor(
    private readonly srv: InboundServer,
    private readonly socket: Socket,
    chunking: ChunkingMode,
  ) {
    this.writer = new ChunkedWriter(socket, { mode: chunking, rng: srv.node.forkRng() })
    this.writer.write(authRequest())
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', () => undefined)
    socket.on('close', () => {
      this.closing = true
      srv.node.unsubscribe(this)
    })
    socket.on('end', () => this.close())
  }

  deliver(ev: RoutedEvent): void {
    if (this.held !== undefined) {
      this.held.push(ev)
      return
    }
    if (this.closing || !this.sub.wants(ev)) return
    this.writer.write(frameFor(ev, this.sub.format, {}))
  }

  drop(graceful: boolean): void {
    if (graceful) {
      this.writer.write(inboundDisconnectNotice('The system is being shut down.\n'))
      this.close()
    } else {
      this.closing = true
      this.srv.node.unsubscribe(this)
      this.writer.reset()
    }
  }

  private close(): void {
    if (this.closing) return
    this.closing = true
    this.srv.node.unsubscribe(this)
    this.writer.end()
  }

  private reply(text: string, extra: readonly Header[] = []): void {
    this.writer.write(commandReply(text, extra))
  }

  private onData(chunk: Buffer): void {
    let cmds: DaemonCommand[]
    try {
      cmds = this.parser.push(chunk)
    } catch (err) {
      this.srv.violations.push(String(err))
      this.drop(false)
      return
    }
    for (const c of cmds) {
      if (this.closing) return
      this.handle(c)
    }
  }

  private handle(c: DaemonCommand): void {
    const line = c.line
    const [, rest] = splitCommand(line)
    if (!this.authed) {
      if (matchesWord(line, 'auth')) {
        if (rest.trim() === this.srv.password) {
          this.authed = true
          this.srv.authCount++
          this.reply('+OK accepted')
        } else {
          this.reply('-ERR invalid')
          this.writer.write(inboundDisconnectNotice())
          this.close()
        }
      } else if (matchesWord(line, 'exit')) {
        this.exit()
      } else this.reply('-ERR command not found')
      return
    }
    const node = this.srv.node
    if (matchesWord(line, 'exit')) this.exit()
    else if (matchesWord(line, 'bgapi')) {
      const jobUuid = headerOf(c.headers, 'Job-UUID') ?? node.rng.uuid()
      this.reply(`+OK Job-UUID: ${jobUuid}`, [['Job-UUID', jobUuid]])
      // bgapi runs in its own thread after the reply (mes.c:2333–2392).
      setImmediate(() => publishJob(node, jobUuid, rest, runApi(this.srv.apiContext, rest)))
    } else if (matchesWord(line, 'api')) {
      // api runs in the listener thread: no event is written before its response (mes.c:2288–2332).
      const held: RoutedEvent[] = []
      this.held = held
      const body = runApi(this.srv.apiContext, rest)
      this.writer.write(apiResponse(body))
      this.held = undefined
      for (const ev of held) this.deliver(ev)
    } else if (matchesWord(line, 'nixevent')) this.reply(this.sub.nixevent(rest))
    else if (matchesWord(line, 'noevents')) this.reply(this.sub.noevents())
    else if (matchesWord(line, 'event')) {
      const r = this.sub.event(rest)
      if (this.sub.active) node.subscribeAll(this)
      this.reply(r)
    } else if (matchesWord(line, 'filter')) this.reply(this.sub.filter(rest))
    else if (matchesWord(line, 'sendevent')) this.sendevent(c, rest.trim())
    else if (matchesWord(line, 'log') || matchesWord(line, 'nolog')) this.reply('+OK')
    else this.reply('-ERR command not found')
  }

  private exit(): void {
    this.reply('+OK bye')
    this.writer.write(inboundDisconnectNotice())
    this.close()
  }

  /** sendevent (mes.c:2241–2287): reply `+OK <uuid>`, then FS's own headers after the daemon's. */
  private sendevent(c: DaemonCommand, nameArg: string): void {
    const node = this.srv.node
    const name = (nameArg.split(' ')[0] ?? '').toUpperCase() || 'CUSTOM'
    const sent = this.srv.recordSendevent(c, name)
    this.reply(`+OK ${sent.eventUuid}`)
    const std = node.standardHeaders(name, 'mod_event_socket.c', 'parse_command', 2283)
    const headers: Header[] = [['Command', c.line], ...sent.headers, ['Event-UUID', sent.eventUuid], ...std]
    const event = sent.body !== undefined ? { headers, body: sent.body } : { headers }
    const uuid = headerOf(sent.headers, 'Unique-ID')
    setImmediate(() => {
      node.publish(uuid !== undefined ? { event, name, uuid } : { event, name })
      if (name === 'MESSAGE_WAITING') this.srv.registrar.handleMessageWaiting(headers)
    })
  }
}

import { EventEmitter } from 'node:events'
import { BlockList, createServer, isIPv6, type Server, type Socket } from 'node:net'
import type { Logger } from '../log.js'
import type { Call } from './call.js'
import { EslListenError, HangupError } from './errors.js'
import { defaultEslCallOptions, EslCall, type EslCallOptions } from './esl-call.js'
import { EslSession } from './esl-session.js'
import { Connection } from './modesl-patched.js'
import { outboundHandshake } from './outbound-handshake.js'

/** A call flow: runs once per call; resolves or throws when the flow is over. */
export type CallHandler = (call: Call, log: Logger) => Promise<void>

export interface OutboundServerOptions {
  host: string
  /** 0 = any free port (tests); `start()` returns the real one. */
  port: number
  /** Peer addresses (IPs or CIDR blocks) allowed to connect; empty = anyone who can reach the port. */
  allowFrom?: readonly string[]
  log: Logger
  handler: CallHandler
  call?: Partial<EslCallOptions>
  /** Shorthand for `call.language` (config `prompts.language`). */
  prompts?: { language: string }
  /** Time FreeSWITCH gets to answer the start of a call (connect, myevents, linger, event). Default 10 s. */
  handshakeTimeoutMs?: number
  /** After `exit`, how long we wait for FreeSWITCH to close the socket before we do. Default 2 s. */
  exitGraceMs?: number
}

export type CallOutcome = 'completed' | 'hangup' | 'error'

export interface CallEnd {
  uuid: string
  outcome: CallOutcome
  error?: unknown
}

interface ServerEvents {
  /** A call's flow ended and its socket was released. */
  'call-ended': [CallEnd]
  /** A connection closed before its call started (`gone`: the caller hung up first; `failed`: a bad handshake). */
  'call-not-started': ['gone' | 'failed']
  /** A peer not in `allowFrom` was refused. */
  rejected: [string]
}

/**
 * The outbound-socket listener: FreeSWITCH's `socket <host:port> async full` dials it once per call. Each accepted
 * connection becomes an `EslCall` and runs the handler; when the handler ends (however it ends) the call is hung
 * up if still up, `exit` is sent (with `linger` FreeSWITCH would otherwise keep the channel forever, §1.5) and
 * the socket is closed after a short grace.
 *
 * We create and listen the `net.Server` ourselves and build each modesl `Connection` from the accepted socket,
 * instead of using modesl's `Server`: its `port || 8022` makes port 0 impossible, its connections have no `error`
 * listener (an `error` with none throws, §5 bug 5), it loses connections closed by error/reset (bug 4), and the
 * Connection constructor writes `connect` at once, so a refused peer must be dropped before one exists.
 */
export class OutboundServer extends EventEmitter<ServerEvents> {
  private server: Server | undefined
  private readonly allow: BlockList | undefined
  private readonly sessions = new Set<EslSession>()
  private readonly calls = new Set<EslCall>()
  private readonly runs = new Set<Promise<void>>()
  private readonly callOptions: EslCallOptions

  constructor(private readonly options: OutboundServerOptions) {
    super()
    this.callOptions = { ...defaultEslCallOptions, ...options.prompts, ...options.call }
    const allowFrom = options.allowFrom ?? []
    if (allowFrom.length > 0) {
      this.allow = new BlockList()
      for (const entry of allowFrom) {
        const [address = '', prefix] = entry.split('/')
        const type = isIPv6(address) ? 'ipv6' : 'ipv4'
        if (prefix === undefined) this.allow.addAddress(address, type)
        else this.allow.addSubnet(address, Number(prefix), type)
      }
    }
  }

  /** Calls whose flow is running. */
  get liveCalls(): number {
    return this.calls.size
  }

  /** Listen. Resolves with the bound address; throws EslListenError (EADDRINUSE, EACCES, …). */
  start(): Promise<{ host: string; port: number }> {
    const { host, port, log } = this.options
    const server = createServer((socket) => this.accept(socket))
    this.server = server
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        reject(
          new EslListenError(`cannot listen on ${host}:${port}: ${err.code ?? err.message}`, { cause: err }),
        )
      }
      server.once('error', onError)
      server.listen(port, host, () => {
        server.off('error', onError)
        // After startup a server error must never crash the daemon (accept failures such as EMFILE).
        server.on('error', (err) => log.error({ err }, 'outbound listener error'))
        const address = server.address()
        const bound = typeof address === 'object' && address !== null ? address.port : port
        log.info({ host, port: bound }, 'outbound socket listening')
        resolve({ host, port: bound })
      })
    })
  }

  /**
   * Stop accepting, give live calls up to `drainMs` to finish, then hang up the rest and close everything.
   * Never rejects.
   */
  async stop(drainMs: number): Promise<void> {
    const server = this.server
    const closed = new Promise<void>((resolve) =>
      server === undefined ? resolve() : server.close(() => resolve()),
    )
    await Promise.race([this.allSettled(), delay(drainMs)])
    if (this.calls.size > 0) this.options.log.warn({ calls: this.calls.size }, 'hanging up calls still live')
    for (const call of this.calls) call.hangup('SYSTEM_SHUTDOWN').catch(() => undefined)
    await Promise.race([this.allSettled(), delay(this.callOptions.commandTimeoutMs)])
    for (const session of this.sessions) session.destroy()
    await this.allSettled()
    await closed
  }

  private allSettled(): Promise<unknown> {
    return Promise.allSettled([...this.runs])
  }

  private accept(socket: Socket): void {
    const { log } = this.options
    const peer = (socket.remoteAddress ?? '').replace(/^::ffff:/, '')
    socket.on('error', () => undefined) // reported through the Connection; this only keeps `error` handled
    if (this.allow !== undefined && !this.allow.check(peer, isIPv6(peer) ? 'ipv6' : 'ipv4')) {
      log.warn({ peer }, 'outbound connection refused: peer not in allowFrom')
      socket.destroy()
      this.emit('rejected', peer)
      return
    }
    socket.setNoDelay(true)
    const conn = new Connection(socket)
    const session = new EslSession(conn, socket, log.child({ peer }))
    conn.on('error', (err: Error) => {
      // Socket errors and malformed frames (the parser guard already destroyed the socket): drop this call only.
      log.warn({ err, peer, uuid: session.uuid }, 'outbound connection error')
      socket.destroy()
    })
    this.sessions.add(session)
    const run = this.run(session).finally(() => {
      this.sessions.delete(session)
      this.runs.delete(run)
    })
    this.runs.add(run)
  }

  /** One call, start to end. Never rejects. */
  private async run(session: EslSession): Promise<void> {
    let log = this.options.log
    let call: EslCall
    try {
      const info = await outboundHandshake(session, this.options.handshakeTimeoutMs ?? 10_000, log)
      call = new EslCall(session, info, this.callOptions)
      log = log.child({ uuid: info.uuid })
      log.info({ caller: info.callerIdNumber, destination: info.destinationNumber }, 'call started')
    } catch (err) {
      const gone = err instanceof HangupError
      if (gone) log.info({}, 'caller gone before the call started')
      else log.warn({ err }, 'outbound call setup failed')
      session.destroy()
      this.emit('call-not-started', gone ? 'gone' : 'failed')
      return
    }
    this.calls.add(call)
    const end: CallEnd = { uuid: call.info.uuid, outcome: 'completed' }
    try {
      await this.options.handler(call, log)
      log.info({}, 'call flow completed')
    } catch (err) {
      if (err instanceof HangupError) {
        end.outcome = 'hangup'
        log.info({}, 'caller hung up')
      } else {
        end.outcome = 'error'
        end.error = err
        log.error({ err }, 'call flow failed')
      }
    }
    await this.release(call, session, log)
    this.calls.delete(call)
    this.emit('call-ended', end)
  }

  /** Hang up if still up (unless transferred), send `exit`, and close the socket. Never rejects. */
  private async release(call: EslCall, session: EslSession, log: Logger): Promise<void> {
    try {
      if (!call.hungUp && !call.transferred) await call.hangup()
    } catch (err) {
      log.warn({ err }, 'hangup at end of call failed')
    }
    if (!call.hungUp && !call.transferred) {
      // The channel lives on after `exit` (a hangup that failed): leave it as the dialplan set it (SPEC §8).
      await call.restoreChannel().catch((err: unknown) => log.warn({ err }, 'channel variables not restored'))
    }
    if (!session.closed) {
      // FreeSWITCH answers `+OK bye`, sends the disconnect notice and closes (§1.5).
      await session.command('exit', null, this.callOptions.commandTimeoutMs).catch(() => undefined)
      await Promise.race([session.closedPromise, delay(this.options.exitGraceMs ?? 2_000)])
      session.destroy()
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref())
}

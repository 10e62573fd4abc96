import { chmod, lstat, unlink } from 'node:fs/promises'
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import type { Logger } from '../log.js'
import { ControlError, ControlProtocolError, ControlRequestError } from './errors.js'
import { withSocketPath } from './short-path.js'
import {
  MAX_REQUEST_BYTES,
  parseRequest,
  type ControlOp,
  type ControlReply,
  type ControlRequest,
} from './protocol.js'

/** What the daemon does for each request; a handler rejects with ControlRequestError to choose the error code. */
export type ControlHandlers = {
  [Op in ControlOp]: (request: Extract<ControlRequest, { op: Op }>) => Promise<Record<string, unknown>>
}

/** Another daemon answers on the socket: two daemons must not share a state directory. */
export class ControlSocketInUseError extends ControlError {}

/**
 * The daemon's end of the control channel (protocol.ts): listens on a Unix socket only its own user can open
 * (mode 0600), answers one request per connection, and removes the socket when it stops. A socket file left by a
 * killed daemon (nothing listens) is replaced at start; one a live daemon answers on is refused.
 */
export class ControlServer {
  private server: Server | undefined
  private readonly sockets = new Set<Socket>()

  constructor(
    readonly path: string,
    private readonly handlers: ControlHandlers,
    private readonly log: Logger,
  ) {}

  /** Listen on `path`. Rejects with ControlSocketInUseError when a live daemon answers there. */
  async start(): Promise<void> {
    await this.clearStale()
    const server = createServer((socket) => this.serve(socket))
    await withSocketPath(
      this.path,
      (path) =>
        new Promise<void>((resolve, reject) => {
          server.once('error', reject)
          // The socket file is created by the bind inside listen(): with this umask it is never open to others, not
          // even between the bind and the chmod below.
          const umask = process.umask(0o177)
          try {
            server.listen(path, () => {
              server.off('error', reject)
              resolve()
            })
          } finally {
            process.umask(umask)
          }
        }),
    )
    await chmod(this.path, 0o600)
    server.on('error', (err: unknown) => this.log.error({ err }, 'control socket error'))
    this.server = server
    this.log.info({ path: this.path }, 'control socket listening')
  }

  /** Stop listening, end open connections, remove the socket file. Never rejects. */
  async stop(): Promise<void> {
    const server = this.server
    if (server === undefined) return
    this.server = undefined
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    for (const socket of this.sockets) socket.destroy()
    await closed
    // server.close() unlinks the socket on Linux; a file still there is removed so no client takes it for a daemon.
    await unlink(this.path).catch(() => undefined)
  }

  private async clearStale(): Promise<void> {
    const info = await lstat(this.path).catch(() => undefined)
    if (info === undefined) return
    if (!info.isSocket()) throw new ControlSocketInUseError(`${this.path} exists and is not a socket`)
    if (await answers(this.path)) {
      throw new ControlSocketInUseError(`another voicemaild answers on ${this.path}`)
    }
    this.log.warn({ path: this.path }, 'stale control socket removed (a daemon stopped without removing it)')
    await unlink(this.path)
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket)
    socket.on('close', () => this.sockets.delete(socket))
    socket.on('error', (err: unknown) => this.log.debug({ err }, 'control connection error'))
    let buffered = ''
    let handled = false
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      if (handled) return
      buffered += chunk
      const end = buffered.indexOf('\n')
      if (end < 0 && buffered.length <= MAX_REQUEST_BYTES) return
      handled = true
      const line = end < 0 ? undefined : buffered.slice(0, end)
      void this.answer(line).then((reply) => socket.end(`${JSON.stringify(reply)}\n`))
    })
  }

  private async answer(line: string | undefined): Promise<ControlReply> {
    let request: ControlRequest
    try {
      if (line === undefined) throw new ControlProtocolError('request line too long')
      request = parseRequest(JSON.parse(line) as unknown)
    } catch (err) {
      const message = err instanceof ControlProtocolError ? err.message : 'a request is one line of JSON'
      this.log.warn({ err }, 'control request refused')
      return { ok: false, error: { code: 'bad-request', message } }
    }
    const started = Date.now()
    try {
      const handler = this.handlers[request.op] as (r: ControlRequest) => Promise<Record<string, unknown>>
      const result = await handler(request)
      this.log.info({ op: request.op, ms: Date.now() - started }, 'control request served')
      return { ok: true, result }
    } catch (err) {
      const code = err instanceof ControlRequestError ? err.code : 'failed'
      const message = err instanceof Error ? err.message : String(err)
      this.log.warn({ err, op: request.op }, 'control request failed')
      return { ok: false, error: { code, message } }
    }
  }
}

/** Whether a process accepts connections on the socket at `path` (a live daemon, not a stale file). */
function answers(path: string): Promise<boolean> {
  return withSocketPath(
    path,
    (usable) =>
      new Promise((resolve) => {
        const socket = createConnection(usable)
        socket.once('connect', () => {
          socket.destroy()
          resolve(true)
        })
        socket.once('error', () => resolve(false))
      }),
  )
}

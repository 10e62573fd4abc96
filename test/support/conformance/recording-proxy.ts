/**
 * A TCP proxy that records every byte both ways, for the conformance test: put between FreeSWITCH (real or
 * simulated) and the daemon, it shows exactly what the daemon received and sent, without touching either side.
 * `cut()` drops a connection in both directions at once, the way the daemon's death looks to FreeSWITCH.
 */
import { connect, createServer, type Server, type Socket } from 'node:net'

export interface Chunk {
  /** `client`: written by the side that connected to the proxy; `server`: by the side the proxy dialled. */
  from: 'client' | 'server'
  at: number
  data: Buffer
}

export class ProxiedConnection {
  readonly chunks: Chunk[] = []
  readonly opened = Date.now()
  /** Who closed first: the client, the server, or the proxy itself (`cut`). */
  closedBy: 'client' | 'server' | 'cut' | undefined
  /** Resolves when the client's side is closed (and the server's, unless the connection was cut). */
  readonly closed: Promise<void>
  private resolveClosed!: () => void
  private severed = false

  constructor(
    private readonly client: Socket,
    private readonly server: Socket,
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve))
    this.pipe(client, server, 'client')
    this.pipe(server, client, 'server')
  }

  /** Bytes one side wrote, concatenated. */
  bytes(from: 'client' | 'server'): Buffer {
    return Buffer.concat(this.chunks.filter((c) => c.from === from).map((c) => c.data))
  }

  /**
   * The server "dies" for the client: the client's socket is closed now, while the server hears nothing more (no
   * close either): a dead daemon does not react, and this one must not (it would tidy up the recording that
   * FreeSWITCH keeps writing).
   */
  cut(): void {
    this.closedBy ??= 'cut'
    this.severed = true
    this.client.destroy()
  }

  /** Close both sides (end of test). */
  destroy(): void {
    this.client.destroy()
    this.server.destroy()
  }

  private pipe(from: Socket, to: Socket, side: 'client' | 'server'): void {
    from.on('data', (data: Buffer) => {
      if (this.severed) return
      this.chunks.push({ from: side, at: Date.now(), data })
      if (!to.destroyed) to.write(data)
    })
    from.on('end', () => {
      this.closedBy ??= side
      if (!this.severed) to.end()
    })
    from.on('error', () => undefined)
    from.on('close', () => {
      this.closedBy ??= side
      if (!this.severed) to.destroy()
      if (this.client.destroyed && (this.severed || this.server.destroyed)) this.resolveClosed()
    })
  }
}

export class RecordingProxy {
  readonly connections: ProxiedConnection[] = []
  /** Where accepted connections are forwarded; set before the first client connects. */
  upstreamPort: number | undefined
  private readonly waiters: Array<(c: ProxiedConnection) => void> = []

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Listen on 127.0.0.1 (a free port); forward to `upstreamPort` on 127.0.0.1. */
  static async listen(upstreamPort?: number): Promise<RecordingProxy> {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const address = server.address()
    if (typeof address !== 'object' || address === null) throw new Error('proxy has no port')
    const proxy = new RecordingProxy(server, address.port)
    proxy.upstreamPort = upstreamPort
    server.on('connection', (socket) => proxy.accept(socket))
    return proxy
  }

  /** The next connection accepted from now on (or the nth overall, if already there). */
  nextConnection(index = this.connections.length, timeoutMs = 30_000): Promise<ProxiedConnection> {
    const existing = this.connections[index]
    if (existing !== undefined) return Promise.resolve(existing)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no connection through the proxy')), timeoutMs)
      const check = (c: ProxiedConnection): void => {
        if (this.connections[index] !== c) {
          this.waiters.push(check)
          return
        }
        clearTimeout(timer)
        resolve(c)
      }
      this.waiters.push(check)
    })
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private accept(client: Socket): void {
    client.setNoDelay(true)
    client.pause()
    const port = this.upstreamPort
    if (port === undefined) {
      client.destroy()
      return
    }
    const server = connect({ host: '127.0.0.1', port, noDelay: true })
    const conn = new ProxiedConnection(client, server)
    this.connections.push(conn)
    server.once('connect', () => client.resume())
    for (const waiter of this.waiters.splice(0)) waiter(conn)
  }
}

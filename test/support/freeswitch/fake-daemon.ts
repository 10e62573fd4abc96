/**
 * A tiny hand-written daemon side for the simulator's tests: a raw TCP listener that reads FS frames and writes
 * commands, with helpers to wait for a given frame. Deliberately not modesl and not lib/esl.
 */
import { createServer, type Server, type Socket } from 'node:net'
import { FrameReader, get, parseJsonEvent, parsePlainEvent, type FsFrame } from './frame-reader.js'
import type { Header } from './frames.js'

export interface SeenFrame extends FsFrame {
  contentType: string
  /** Decoded event headers for text/event-*; [] otherwise. */
  event: Header[]
  eventName: string | undefined
}

export class DaemonConn {
  readonly frames: SeenFrame[] = []
  private readonly reader = new FrameReader()
  private waiters: Array<{ pred: (f: SeenFrame) => boolean; from: number; resolve: (f: SeenFrame) => void }> =
    []
  private cursor = 0
  ended = false
  readonly endedP: Promise<void>

  constructor(readonly socket: Socket) {
    socket.on('data', (c: Buffer) => {
      for (const f of this.reader.push(c)) this.add(f)
    })
    this.endedP = new Promise((r) => socket.on('close', () => ((this.ended = true), r())))
    socket.on('error', () => undefined)
  }

  private add(f: FsFrame): void {
    const ct = get(f.headers, 'Content-Type') ?? ''
    let event: Header[] = []
    if (ct === 'text/event-plain') event = parsePlainEvent(f.body).headers
    else if (ct === 'text/event-json') event = parseJsonEvent(f.body).headers
    const seen: SeenFrame = { ...f, contentType: ct, event, eventName: get(event, 'Event-Name') }
    this.frames.push(seen)
    const idx = this.frames.length - 1
    this.waiters = this.waiters.filter((w) => {
      if (idx >= w.from && w.pred(seen)) {
        w.resolve(seen)
        return false
      }
      return true
    })
  }

  /** Write a command: line, headers, blank line. */
  send(line: string, headers: Array<[string, string]> = [], body?: string): void {
    let s = `${line}\n`
    for (const [k, v] of headers) s += `${k}: ${v}\n`
    if (body !== undefined) s += `Content-Length: ${Buffer.byteLength(body)}\n\n${body}`
    else s += '\n'
    this.socket.write(s)
  }

  /** Next frame (after the cursor) matching pred; moves the cursor past it. */
  next(pred: (f: SeenFrame) => boolean = () => true): Promise<SeenFrame> {
    for (let i = this.cursor; i < this.frames.length; i++) {
      const f = this.frames[i] as SeenFrame
      if (pred(f)) {
        this.cursor = i + 1
        return Promise.resolve(f)
      }
    }
    return new Promise((resolve) => {
      const from = this.frames.length
      this.waiters.push({
        pred,
        from,
        resolve: (f) => {
          this.cursor = this.frames.indexOf(f) + 1
          resolve(f)
        },
      })
    })
  }

  reply(): Promise<SeenFrame> {
    return this.next((f) => f.contentType === 'command/reply' || f.contentType === 'api/response')
  }

  event(name: string, pred: (f: SeenFrame) => boolean = () => true): Promise<SeenFrame> {
    return this.next((f) => f.eventName === name && pred(f))
  }

  /** sendmsg execute with Event-UUID; resolves with the command reply. */
  execute(app: string, arg: string, uuid: string): Promise<SeenFrame> {
    const h: Array<[string, string]> = [
      ['call-command', 'execute'],
      ['execute-app-name', app],
    ]
    if (arg !== '') h.push(['execute-app-arg', arg])
    h.push(['Event-UUID', uuid])
    this.send('sendmsg', h)
    return this.reply()
  }

  /** Execute and wait for its EXECUTE_COMPLETE (found anywhere in the stream, by Application-UUID). */
  async run(app: string, arg: string, uuid: string): Promise<SeenFrame> {
    await this.execute(app, arg, uuid)
    return this.completion(uuid)
  }

  /** The CHANNEL_EXECUTE_COMPLETE with this Application-UUID, whenever it came (does not move the cursor). */
  completion(uuid: string): Promise<SeenFrame> {
    return this.waitFor(
      (f) => f.eventName === 'CHANNEL_EXECUTE_COMPLETE' && get(f.event, 'Application-UUID') === uuid,
    )
  }

  /** The first frame ever received matching pred (waits if none yet); does not move the cursor. */
  waitFor(pred: (f: SeenFrame) => boolean): Promise<SeenFrame> {
    const hit = this.frames.find(pred)
    if (hit !== undefined) return Promise.resolve(hit)
    return new Promise((resolve) => this.waiters.push({ pred, from: this.frames.length, resolve }))
  }

  names(): string[] {
    return this.frames.map(
      (f) =>
        f.eventName ??
        `${f.contentType}${get(f.headers, 'Reply-Text') !== undefined ? ':' + get(f.headers, 'Reply-Text') : ''}`,
    )
  }
}

/** A listener on 127.0.0.1:0 handing out DaemonConns. */
export class FakeDaemon {
  private readonly server: Server
  private queue: DaemonConn[] = []
  private waiting: Array<(c: DaemonConn) => void> = []
  port = 0

  constructor() {
    this.server = createServer((s) => {
      s.setNoDelay(true)
      const c = new DaemonConn(s)
      const w = this.waiting.shift()
      if (w !== undefined) w(c)
      else this.queue.push(c)
    })
  }

  async listen(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r))
    const a = this.server.address()
    this.port = typeof a === 'object' && a !== null ? a.port : 0
  }

  accept(): Promise<DaemonConn> {
    const c = this.queue.shift()
    if (c !== undefined) return Promise.resolve(c)
    return new Promise((r) => this.waiting.push(r))
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()))
  }
}

export { get }

/** connect + myevents + linger + event plain …: the usual daemon preamble. Returns the CHANNEL_DATA frame. */
export async function handshake(
  c: DaemonConn,
  opts: { linger?: boolean; format?: 'plain' | 'json' } = {},
): Promise<SeenFrame> {
  c.send('connect')
  const data = await c.reply()
  c.send('myevents')
  await c.reply()
  if (opts.linger !== false) {
    c.send('linger')
    await c.reply()
  }
  c.send(
    `event ${opts.format ?? 'plain'} DTMF CHANNEL_EXECUTE_COMPLETE RECORD_START RECORD_STOP PLAYBACK_START PLAYBACK_STOP CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE`,
  )
  await c.reply()
  return data
}

/** Connect to an inbound server like the daemon does (raw TCP), waiting for the TCP connection. */
export async function connectInbound(host: string, port: number): Promise<DaemonConn> {
  const { connect } = await import('node:net')
  const s = connect({ host, port })
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve)
    s.once('error', reject)
  })
  return new DaemonConn(s)
}

/**
 * The test's own Event Socket client to a real FreeSWITCH (inbound, port of the copy's event_socket.conf.xml):
 * `api`, `bgapi`, `sendevent` and an event log. Deliberately not the daemon's `lib/esl` (that is what is under
 * test) and not modesl (only `lib/esl` may use it): frames are read with the simulator's byte-level reader.
 */
import { connect, type Socket } from 'node:net'
import { FrameReader, get, parsePlainEvent } from '../freeswitch/frame-reader.js'
import type { Header } from '../freeswitch/frames.js'

export interface ReceivedEvent {
  /** Wall-clock ms when the frame arrived. */
  at: number
  name: string
  headers: readonly Header[]
  body: string
  /** First value of a header (exact name). */
  get(name: string): string | undefined
}

type Waiter = {
  resolve: (reply: { headers: readonly Header[]; body: string }) => void
  reject: (e: Error) => void
}

export class EslClient {
  readonly events: ReceivedEvent[] = []
  private readonly waiters: Waiter[] = []
  private readonly listeners = new Set<(event: ReceivedEvent) => void>()
  /** Pending `waitFor` rejections, so a closed connection ends them at once instead of at their timeouts. */
  private readonly pendingWaits = new Set<(err: Error) => void>()
  private closed = false

  private constructor(private readonly socket: Socket) {}

  /** Connects and authenticates; rejects when FreeSWITCH is not there (yet). */
  static async connect(port: number, password: string): Promise<EslClient> {
    const socket = connect({ host: '127.0.0.1', port })
    socket.setNoDelay(true)
    const client = new EslClient(socket)
    const reader = new FrameReader()
    const authRequest = new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.once('close', () => reject(new Error('event socket closed before auth/request')))
      let first = true
      socket.on('data', (chunk: Buffer) => {
        for (const frame of reader.push(chunk)) {
          if (first) {
            first = false
            resolve()
            continue
          }
          client.onFrame(frame.headers, frame.body)
        }
      })
    })
    socket.on('close', () => client.failAll(new Error('event socket closed')))
    socket.on('error', () => undefined)
    await authRequest
    const reply = await client.command(`auth ${password}`)
    if (get(reply.headers, 'Reply-Text') !== '+OK accepted') throw new Error('event socket auth refused')
    return client
  }

  /** `api CMD`: resolves with the response body (`-ERR …` included: callers decide). */
  async api(cmd: string): Promise<string> {
    return (await this.command(`api ${cmd}`)).body
  }

  /** `bgapi CMD`: resolves with the BACKGROUND_JOB body once the job finished. */
  async bgapi(cmd: string, timeoutMs = 30_000): Promise<string> {
    const reply = await this.command(`bgapi ${cmd}`)
    const job = get(reply.headers, 'Job-UUID')
    if (job === undefined)
      throw new Error(`bgapi ${cmd}: ${get(reply.headers, 'Reply-Text') ?? 'no Job-UUID'}`)
    const done = await this.waitFor(
      (e) => e.name === 'BACKGROUND_JOB' && e.get('Job-UUID') === job,
      timeoutMs,
    )
    return done.body
  }

  /** Subscribe (plain) to event names, e.g. `CHANNEL_EXECUTE CHANNEL_HANGUP_COMPLETE CUSTOM sofia::register`. */
  async subscribe(names: string): Promise<void> {
    await this.command(`event plain ${names}`)
  }

  async sendEvent(name: string, headers: Readonly<Record<string, string>>): Promise<string> {
    const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`)
    const reply = await this.command([`sendevent ${name}`, ...lines].join('\n'))
    return get(reply.headers, 'Reply-Text') ?? ''
  }

  /** The first event (already received or coming) that matches; rejects after `timeoutMs`. */
  waitFor(match: (e: ReceivedEvent) => boolean, timeoutMs = 30_000, since = 0): Promise<ReceivedEvent> {
    const seen = this.events.slice(since).find(match)
    if (seen !== undefined) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const finish = (err: Error | undefined, event?: ReceivedEvent): void => {
        clearTimeout(timer)
        this.listeners.delete(listener)
        this.pendingWaits.delete(fail)
        if (err !== undefined) reject(err)
        else if (event !== undefined) resolve(event)
      }
      const fail = (err: Error): void => finish(err)
      const timer = setTimeout(() => finish(new Error(`no matching event within ${timeoutMs} ms`)), timeoutMs)
      const listener = (event: ReceivedEvent): void => {
        if (match(event)) finish(undefined, event)
      }
      this.listeners.add(listener)
      this.pendingWaits.add(fail)
      if (this.isClosed) fail(new Error('event socket closed'))
    })
  }

  close(): void {
    this.socket.destroy()
    this.failAll(new Error('event socket closed'))
  }

  get isClosed(): boolean {
    return this.closed || this.socket.destroyed
  }

  private command(text: string): Promise<{ headers: readonly Header[]; body: string }> {
    return new Promise((resolve, reject) => {
      if (this.isClosed) {
        reject(new Error('event socket closed'))
        return
      }
      this.waiters.push({ resolve, reject })
      this.socket.write(`${text}\n\n`)
    })
  }

  private onFrame(headers: readonly Header[], body: Buffer): void {
    const type = get(headers, 'Content-Type')
    if (type === 'command/reply' || type === 'api/response') {
      this.waiters.shift()?.resolve({ headers, body: body.toString('utf8') })
    } else if (type === 'text/event-plain') {
      const parsed = parsePlainEvent(body)
      const event: ReceivedEvent = {
        at: Date.now(),
        name: get(parsed.headers, 'Event-Name') ?? '',
        headers: parsed.headers,
        body: parsed.body,
        get: (name) => get(parsed.headers, name),
      }
      this.events.push(event)
      for (const listener of [...this.listeners]) listener(event)
    }
  }

  private failAll(err: Error): void {
    this.closed = true
    for (const waiter of this.waiters.splice(0)) waiter.reject(err)
    for (const fail of [...this.pendingWaits]) fail(err)
  }
}

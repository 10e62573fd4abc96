/**
 * Small raw FreeSWITCH peers for the ESL layer's own tests: frames written by hand in the shapes of the real
 * captures (`test/fixtures/freeswitch-esl/`), so each test controls every byte (raw `%FF`, a 2 MB header
 * block, a broken frame). The full simulator lives in test/support/freeswitch/.
 */
import { connect, createServer, type Server, type Socket } from 'node:net'

/** FreeSWITCH's urlencode (ut.c:3494): unsafe bytes %-escaped in uppercase hex. */
export function fsEncode(value: string): string {
  if (value === '') return '_undef_'
  let out = ''
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte)
    out +=
      byte < 0x20 || byte > 0x7e || ' \r\n#%&+:;<=>?@[\\]^`{|}"'.includes(c)
        ? `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
        : c
  }
  return out
}

export interface Command {
  line: string
  headers: Map<string, string>
}

/** Splits the daemon's byte stream into commands (command line, headers, blank line). */
export class CommandReader {
  private buffer = ''
  readonly all: Command[] = []
  private waiters: Array<(c: Command) => void> = []
  private queue: Command[] = []

  push(data: Buffer): void {
    this.buffer += data.toString('utf8')
    for (;;) {
      this.buffer = this.buffer.replace(/^\n+/, '')
      const end = this.buffer.indexOf('\n\n')
      if (end === -1) return
      const [line = '', ...rest] = this.buffer.slice(0, end).split('\n')
      this.buffer = this.buffer.slice(end + 2)
      const headers = new Map<string, string>()
      for (const h of rest) {
        const cut = h.indexOf(': ')
        headers.set(h.slice(0, cut), h.slice(cut + 2))
      }
      const command = { line, headers }
      this.all.push(command)
      const waiter = this.waiters.shift()
      if (waiter === undefined) this.queue.push(command)
      else waiter(command)
    }
  }

  next(): Promise<Command> {
    const queued = this.queue.shift()
    if (queued !== undefined) return Promise.resolve(queued)
    return new Promise((resolve) => this.waiters.push(resolve))
  }
}

export function reply(text: string): string {
  return `Content-Type: command/reply\nReply-Text: ${text}\n\n`
}

export function jsonEvent(fields: Record<string, string | string[]>): string {
  const body = JSON.stringify(fields)
  return `Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-json\n\n${body}`
}

export function plainEvent(fields: Record<string, string>): string {
  const body =
    Object.entries(fields)
      .map(([k, v]) => `${k}: ${fsEncode(v)}\n`)
      .join('') + '\n'
  return `Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-plain\n\n${body}`
}

export interface ChannelOptions {
  uuid?: string
  callerIdName?: string
  callerIdNumber?: string
  destination?: string
  variables?: Record<string, string>
  /** Appended to the header block unencoded (e.g. `Channel-Caller-ID-Name: 100%FF`). */
  rawLines?: string[]
}

/** The `connect` reply: CHANNEL_DATA as url-encoded headers, no Content-Length (§1.2). */
export function channelData(o: ChannelOptions = {}): string {
  const uuid = o.uuid ?? 'be563c09-1181-4c42-a7ab-353d9a43b5ea'
  const fields: Array<[string, string]> = [
    ['Event-Name', 'CHANNEL_DATA'],
    ['Core-UUID', '2293a456-213c-4046-83f2-edd2a396ac66'],
    ['Channel-Caller-ID-Name', o.callerIdName ?? 'Alice'],
    ['Channel-Caller-ID-Number', o.callerIdNumber ?? '1001'],
    ['Channel-Destination-Number', o.destination ?? '4000'],
    ['Unique-ID', uuid],
    ['Answer-State', 'ringing'],
    ['Caller-Caller-ID-Name', o.callerIdName ?? 'Alice'],
    ['Caller-Caller-ID-Number', o.callerIdNumber ?? '1001'],
    ['Caller-Destination-Number', o.destination ?? '4000'],
    ...Object.entries(o.variables ?? {}).map(([k, v]): [string, string] => [`variable_${k}`, v]),
  ]
  const lines = fields.map(([k, v]) => `${k}: ${fsEncode(v)}`)
  lines.push(...(o.rawLines ?? []))
  lines.push('Content-Type: command/reply', 'Reply-Text: %2BOK%0A', 'Socket-Mode: async', 'Control: full')
  return lines.join('\n') + '\n\n'
}

/**
 * FreeSWITCH's `socket` app for one call, driven by the test: it dials the daemon, answers the handshake like the
 * capture, and lets the test answer each `sendmsg`.
 */
export class FakeCall {
  readonly socket: Socket
  readonly reader = new CommandReader()
  readonly closed: Promise<void>
  readonly uuid: string
  private seq = 0

  constructor(
    port: number,
    readonly channel: ChannelOptions = {},
  ) {
    this.uuid = channel.uuid ?? 'be563c09-1181-4c42-a7ab-353d9a43b5ea'
    this.socket = connect(port, '127.0.0.1')
    this.socket.on('data', (d) => this.reader.push(d))
    this.socket.on('error', () => undefined)
    this.closed = new Promise((resolve) => this.socket.on('close', () => resolve()))
  }

  write(text: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(text)
  }

  /** Answer connect, the modesl subscription, myevents, linger, our `nixevent` and `event json` (as the capture). */
  async handshake(): Promise<Command[]> {
    const seen: Command[] = []
    const first = await this.reader.next()
    seen.push(first)
    this.write(channelData({ ...this.channel, uuid: this.uuid }))
    for (let i = 0; i < 5; i++) {
      const c = await this.reader.next()
      seen.push(c)
      if (c.line === 'myevents') this.write(reply('+OK Events Enabled'))
      else if (c.line === 'linger') this.write(reply('+OK will linger'))
      else if (c.line.startsWith('nixevent')) this.write(reply('+OK events nixed'))
      else if (c.line.startsWith('event json')) this.write(reply('+OK event listener enabled json'))
      else this.write(reply('-ERR command not found'))
    }
    return seen
  }

  /** Wait for the next `sendmsg execute`; replies `+OK`. */
  async nextExecute(): Promise<{ app: string; arg: string; appUuid: string; command: Command }> {
    const c = await this.reader.next()
    if (c.line !== 'sendmsg' || c.headers.get('call-command') !== 'execute') {
      throw new Error(`expected sendmsg execute, got ${c.line} ${[...c.headers].join(',')}`)
    }
    this.write(reply('+OK'))
    return {
      app: c.headers.get('execute-app-name') ?? '',
      arg: c.headers.get('execute-app-arg') ?? '',
      appUuid: c.headers.get('Event-UUID') ?? '',
      command: c,
    }
  }

  /** A JSON event of this channel. */
  event(name: string, fields: Record<string, string> = {}): void {
    this.seq += 1
    this.write(
      jsonEvent({
        'Event-Name': name,
        'Unique-ID': this.uuid,
        'Event-Sequence': String(this.seq),
        ...fields,
      }),
    )
  }

  /** CHANNEL_EXECUTE_COMPLETE for an execute, with channel variables. */
  complete(appUuid: string, app: string, response = '_none_', variables: Record<string, string> = {}): void {
    const vars = Object.fromEntries(Object.entries(variables).map(([k, v]) => [`variable_${k}`, v]))
    this.event('CHANNEL_EXECUTE_COMPLETE', {
      Application: app,
      'Application-Response': response,
      'Application-UUID': appUuid,
      ...vars,
    })
  }

  /** Caller hangs up: CHANNEL_HANGUP and the linger notice (§1.5). */
  hangup(cause = 'NORMAL_CLEARING'): void {
    this.event('CHANNEL_HANGUP', { 'Hangup-Cause': cause, 'Answer-State': 'hangup' })
    this.write(
      'Content-Type: text/disconnect-notice\nControlled-Session-UUID: ' +
        `${this.uuid}\nContent-Disposition: linger\nChannel-Name: sofia/internal/1001\nLinger-Time: -1\n` +
        'Content-Length: 0\n\n',
    )
  }

  /** Answer `exit` like FreeSWITCH: `+OK bye`, disconnect notice, close. */
  async expectExit(): Promise<Command> {
    const c = await this.reader.next()
    if (c.line === 'exit') {
      this.write(reply('+OK bye'))
      const body = 'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n'
      this.write(
        `Content-Type: text/disconnect-notice\nControlled-Session-UUID: ${this.uuid}\n` +
          `Content-Disposition: disconnect\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}`,
      )
      this.socket.end()
    }
    return c
  }
}

/** A minimal inbound FreeSWITCH (:8021): auth/request, password check, replies scripted by the test. */
export class FakeInboundFs {
  readonly server: Server
  readonly sockets = new Set<Socket>()
  readonly commands: string[] = []
  /** Raw command blocks (command line + header lines), e.g. every sendevent as received. */
  readonly blocks: string[] = []
  api: (command: string) => string = (c) =>
    c === 'status' ? 'UP 0 years\n' : `-ERR ${c} Command not found!\n`
  /** Hold the next api response back until the api after it arrives (a slow `api`). */
  holdNextApi = false
  private held: string | undefined
  port = 0

  constructor(readonly password = 'ClueCon') {
    this.server = createServer((socket) => this.accept(socket))
  }

  async listen(port = 0): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve))
    const address = this.server.address()
    this.port = typeof address === 'object' && address !== null ? address.port : port
    return this.port
  }

  /** Send an event to every authenticated client. */
  broadcast(frame: string): void {
    for (const s of this.sockets) s.write(frame)
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private accept(socket: Socket): void {
    let authed = false
    let buffer = ''
    socket.on('error', () => undefined)
    socket.on('close', () => this.sockets.delete(socket))
    socket.write('Content-Type: auth/request\n\n')
    socket.on('data', (data) => {
      buffer += data.toString('utf8')
      for (;;) {
        buffer = buffer.replace(/^\n+/, '')
        const end = buffer.indexOf('\n\n')
        if (end === -1) return
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const line = block.split('\n')[0] ?? ''
        this.commands.push(line)
        this.blocks.push(block)
        if (!authed) {
          if (line === `auth ${this.password}`) {
            authed = true
            this.sockets.add(socket)
            socket.write(reply('+OK accepted'))
          } else if (line.startsWith('auth ')) {
            socket.write(reply('-ERR invalid'))
            socket.end('Content-Type: text/disconnect-notice\nContent-Length: 0\n\n')
          } else socket.write(reply('-ERR command not found'))
          continue
        }
        if (line.startsWith('api ')) {
          const body = this.api(line.slice(4))
          const frame = `Content-Type: api/response\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}`
          if (this.holdNextApi) {
            this.holdNextApi = false
            this.held = frame
            continue
          }
          if (this.held !== undefined) socket.write(this.held)
          this.held = undefined
          socket.write(frame)
        } else if (line.startsWith('event ')) socket.write(reply(`+OK event listener enabled json`))
        else if (line.startsWith('nixevent')) socket.write(reply('+OK events nixed'))
        else if (line.startsWith('sendevent '))
          socket.write(reply('+OK c14ad6ff-3093-4588-8d40-5efc7eec4bb4'))
        else if (line === 'exit') {
          socket.write(reply('+OK bye'))
          socket.end()
        } else socket.write(reply('-ERR command not found'))
      }
    })
  }
}

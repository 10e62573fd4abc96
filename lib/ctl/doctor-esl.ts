import { connect, type Socket } from 'node:net'
import type { FreeswitchNode } from '../config/types.js'

/** Why a probe failed, in words for the operator. */
export class EslProbeError extends Error {
  constructor(
    readonly kind: 'unreachable' | 'auth' | 'timeout' | 'protocol',
    message: string,
  ) {
    super(message)
  }
}

interface Frame {
  headers: Map<string, string>
  body: string
}

/**
 * A one-shot inbound Event Socket client for `doctor`: connect, authenticate, run a few `api` commands, close.
 * Unlike the daemon's link it never retries, so it can tell "nothing listens", "wrong password" and "no answer"
 * apart (esl-protocol.md §2: auth/request, `auth <pw>`, `+OK accepted` or `-ERR invalid`; api/response bodies
 * carry the result).
 */
export class EslProbe {
  private buffer = Buffer.alloc(0)
  private readonly waiting: Array<{ resolve: (f: Frame) => void; reject: (e: Error) => void }> = []
  private readonly frames: Frame[] = []
  private closedWith: Error | undefined

  private constructor(
    private readonly socket: Socket,
    private readonly timeoutMs: number,
  ) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk))
    socket.on('error', (err) => this.fail(new EslProbeError('protocol', err.message)))
    socket.on('close', () => this.fail(new EslProbeError('protocol', 'FreeSWITCH closed the connection')))
  }

  /** Connect and authenticate. Rejects with EslProbeError (unreachable, auth, timeout, protocol). */
  static async open(node: FreeswitchNode, timeoutMs: number): Promise<EslProbe> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: node.host, port: node.port })
      const timer = setTimeout(() => {
        s.destroy()
        reject(new EslProbeError('timeout', `no answer within ${timeoutMs / 1000} s`))
      }, timeoutMs)
      s.once('connect', () => {
        clearTimeout(timer)
        resolve(s)
      })
      s.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer)
        reject(
          new EslProbeError(
            'unreachable',
            err.code === 'ECONNREFUSED' ? 'connection refused (nothing listens there)' : err.message,
          ),
        )
      })
    })
    const probe = new EslProbe(socket, timeoutMs)
    try {
      const hello = await probe.next()
      if (hello.headers.get('Content-Type') === 'text/rude-rejection') {
        throw new EslProbeError('auth', 'FreeSWITCH refused this address (event_socket apply-inbound-acl)')
      }
      if (hello.headers.get('Content-Type') !== 'auth/request')
        throw new EslProbeError('protocol', 'not an Event Socket (no auth/request)')
      const reply = await probe.send(`auth ${node.password}`)
      const text = reply.headers.get('Reply-Text') ?? ''
      if (!text.startsWith('+OK')) throw new EslProbeError('auth', `password refused (${text || 'no reply'})`)
      return probe
    } catch (err) {
      probe.close()
      throw err
    }
  }

  /** `api <command>`: resolves to the response body (FreeSWITCH puts +OK/-ERR in the body). */
  async api(command: string): Promise<string> {
    if (/[\r\n]/.test(command)) throw new EslProbeError('protocol', 'command contains CR/LF')
    return (await this.send(`api ${command}`)).body
  }

  close(): void {
    this.socket.destroy()
  }

  private async send(line: string): Promise<Frame> {
    this.socket.write(`${line}\n\n`)
    return this.next()
  }

  private next(): Promise<Frame> {
    const ready = this.frames.shift()
    if (ready !== undefined) return Promise.resolve(ready)
    if (this.closedWith !== undefined) return Promise.reject(this.closedWith)
    return new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new EslProbeError('timeout', `no reply within ${this.timeoutMs / 1000} s`)),
        this.timeoutMs,
      )
      this.waiting.push({
        resolve: (f) => {
          clearTimeout(timer)
          resolve(f)
        },
        reject: (e) => {
          clearTimeout(timer)
          reject(e)
        },
      })
    })
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk])
    for (;;) {
      const end = this.buffer.indexOf('\n\n')
      if (end < 0) return
      const headers = new Map<string, string>()
      for (const line of this.buffer.subarray(0, end).toString('utf8').split('\n')) {
        const colon = line.indexOf(':')
        if (colon > 0) headers.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim())
      }
      const length = Number(headers.get('Content-Length') ?? '0')
      if (this.buffer.length < end + 2 + length) return
      const body = this.buffer.subarray(end + 2, end + 2 + length).toString('utf8')
      this.buffer = this.buffer.subarray(end + 2 + length)
      const type = headers.get('Content-Type')
      // Only replies answer our commands; anything else (a disconnect notice, a stray event) is skipped.
      if (
        type !== 'auth/request' &&
        type !== 'command/reply' &&
        type !== 'api/response' &&
        type !== 'text/rude-rejection'
      )
        continue
      const waiter = this.waiting.shift()
      if (waiter === undefined) this.frames.push({ headers, body })
      else waiter.resolve({ headers, body })
    }
  }

  private fail(err: Error): void {
    this.closedWith ??= err
    for (const w of this.waiting.splice(0)) w.reject(err)
  }
}

import type { Socket } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { wallNow } from './ipc.js'
import { NUMBER_PATTERN } from './deposit-script.js'

interface ConnectionProto {
  init(this: ConnectionProto): void
  _setListeners(this: ConnectionProto, ready: () => void): void
  connectionReady(this: ConnectionProto): void
}
// smtp-server waits 100 ms before its greeting to catch spammers that talk early (SMTPConnection.init). A local
// relay (postfix without postscreen, the typical PBX setup) greets at once; measuring that fixed delay per mail
// would tell nothing about the daemon. The sink greets at once too.
const connectionModule = 'smtp-server/lib/smtp-connection.js'
const { SMTPConnection } = (await import(connectionModule)) as {
  SMTPConnection: { prototype: ConnectionProto }
}
SMTPConnection.prototype.init = function (this: ConnectionProto): void {
  this._setListeners(() => this.connectionReady())
}

/**
 * A local `smtp-server` that accepts everything and notes, per caller number found in the mail, the wall-clock
 * time the DATA was accepted (the end of the DATA stream, just before the 250 reply).
 */
export class SmtpSink {
  readonly accepted = new Map<string, number>()
  /** Mails whose caller number was already seen (a duplicate delivery). */
  duplicates = 0
  private readonly server: SMTPServer
  port = 0

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      // No STARTTLS: the daemon would upgrade and refuse our self-signed certificate.
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      // A reverse DNS lookup per connection would be measured as mail latency: a local relay does not need it.
      disableReverseLookup: true,
      size: 50 * 1024 * 1024,
      onData: (stream, _session, callback) => {
        let head = ''
        stream.on('data', (chunk: Buffer) => {
          if (head.length < 8192) head += chunk.toString('latin1')
        })
        stream.on('end', () => {
          const at = wallNow()
          const number = NUMBER_PATTERN.exec(head)?.[1]
          if (number !== undefined) {
            if (this.accepted.has(number)) this.duplicates++
            else this.accepted.set(number, at)
          }
          callback()
        })
      },
    })
    this.server.on('error', () => undefined)
    // Nagle + delayed ACK would add ~40 ms stalls per exchange that a real relay (postfix) does not have.
    this.server.server.on('connection', (socket: Socket) => socket.setNoDelay(true))
  }

  start(): Promise<number> {
    return new Promise((resolve) =>
      this.server.listen(0, '127.0.0.1', () => {
        const address = this.server.server.address()
        this.port = typeof address === 'object' && address !== null ? address.port : 0
        resolve(this.port)
      }),
    )
  }

  /** Resolves once every number in `numbers` has a mail, or after `timeoutMs`. */
  async waitFor(numbers: readonly string[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline && numbers.some((n) => !this.accepted.has(n))) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}

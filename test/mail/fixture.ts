import { randomUUID } from 'node:crypto'
import { copyFile, readFile } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'
import type { Test } from 'tap'
import { ManualClock } from '../../lib/clock.js'
import { defaults } from '../../lib/config/defaults.js'
import type { Config, SmtpConfig } from '../../lib/config/types.js'
import type { MwiRequests } from '../../lib/contracts/lamps.js'
import { silentLogger, type Logger } from '../../lib/log.js'
import { MailNotifier } from '../../lib/mail/notifier.js'
import { OutboxWorker } from '../../lib/mail/outbox-worker.js'
import { createTransport } from '../../lib/mail/transport.js'
import { AudioFiles } from '../../lib/store/audio-files.js'
import { openStore, type Store } from '../../lib/store/index.js'
import type { OutboxRepo } from '../../lib/store/outbox.js'
import type { Mailbox, Message } from '../../lib/store/types.js'
import { FIXTURE_WAV } from '../support/fixtures.js'

export const WAV_FIXTURE = FIXTURE_WAV

/** 2026-11-26 17:47:05 UTC = 11:47 in America/Chicago (CST, UTC−6). */
export const RECEIVED_AT = Date.UTC(2026, 10, 26, 17, 47, 5)

export interface ReceivedMail {
  envelope: { from: string; to: string[] }
  /** The session had been upgraded with STARTTLS. */
  secure: boolean
  /** The user the client authenticated as, if any. */
  user?: string
  raw: Buffer
  parsed: ParsedMail
  /** When the sink accepted it (epoch ms). */
  at: number
}

export interface SinkOptions {
  /** Offer STARTTLS (self-signed certificate). */
  tls?: boolean
  /** Require AUTH with these credentials. */
  auth?: { user: string; pass: string }
}

/** How the fake SMTP server answers RCPT TO. */
export type SinkMode = 'accept' | 'tempfail' | 'permfail'

/**
 * A real smtp-server on 127.0.0.1 that keeps every message it accepted. `mode` switches RCPT TO answers between
 * 250, 451 and 550 on the fly; `stop()`/`start()` take it off the port and back (same port) to fake an outage.
 */
export class SmtpSink {
  readonly messages: ReceivedMail[] = []
  mode: SinkMode = 'accept'
  /** Messages whose DATA arrived, answered or not (see `hold`). */
  dataSeen = 0
  private gate: Promise<void> | undefined
  private server: SMTPServer | undefined
  private pending: Promise<unknown>[] = []

  private constructor(
    public port: number,
    private readonly options: SinkOptions = {},
  ) {}

  /** Listening on a fresh port, closed at teardown. */
  static async start(t: Test, options: SinkOptions = {}): Promise<SmtpSink> {
    const sink = new SmtpSink(0, options)
    await sink.start()
    t.teardown(() => sink.stop())
    return sink
  }

  /** A sink not listening yet: its port was free a moment ago and nothing listens on it (SMTP "down"). */
  static async down(t: Test): Promise<SmtpSink> {
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const port = (probe.address() as AddressInfo).port
    await new Promise<void>((resolve) => probe.close(() => resolve()))
    const sink = new SmtpSink(port)
    t.teardown(() => sink.stop())
    return sink
  }

  async start(): Promise<void> {
    const auth = this.options.auth
    const server = new SMTPServer({
      authOptional: auth === undefined,
      // With `tls`, smtp-server offers STARTTLS with its built-in self-signed certificate.
      disabledCommands: [
        ...(this.options.tls === true ? [] : ['STARTTLS']),
        ...(auth === undefined ? ['AUTH'] : []),
      ],
      allowInsecureAuth: false,
      logger: false,
      onAuth: (login, _session, callback) => {
        if (auth !== undefined && login.username === auth.user && login.password === auth.pass) {
          callback(null, { user: login.username })
        } else callback(smtpError('5.7.8 authentication failed', 535))
      },
      onRcptTo: (address, _session, callback) => {
        if (this.mode === 'tempfail') callback(smtpError('4.3.0 mailbox busy, try later', 451))
        else if (this.mode === 'permfail') callback(smtpError(`5.1.1 no such user ${address.address}`, 550))
        else callback()
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = []
        stream.on('data', (chunk: Buffer) => chunks.push(chunk))
        stream.on('end', () => {
          this.dataSeen++
          const gate = this.gate ?? Promise.resolve()
          const raw = Buffer.concat(chunks)
          const envelope = {
            from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((r) => r.address),
          }
          const secure = session.secure
          const user = typeof session.user === 'string' ? session.user : undefined
          const parsing = simpleParser(raw).then((parsed) =>
            this.messages.push({
              envelope,
              secure,
              ...(user !== undefined ? { user } : {}),
              raw,
              parsed,
              at: Date.now(),
            }),
          )
          this.pending.push(parsing)
          // Answer 250 only once the message is stored, like a real relay (and, with `hold`, released).
          Promise.all([parsing, gate]).then(
            () => callback(),
            (err: Error) => callback(err),
          )
        })
      },
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.port, '127.0.0.1', () => resolve())
    })
    this.port = (server.server.address() as AddressInfo).port
    this.server = server
  }

  /** Answer no DATA (of messages arriving from now on) until the returned function is called. */
  hold(): () => void {
    let release!: () => void
    this.gate = new Promise<void>((resolve) => (release = resolve))
    return () => {
      this.gate = undefined
      release()
    }
  }

  async stop(): Promise<void> {
    const server = this.server
    this.server = undefined
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()))
    await Promise.allSettled(this.pending)
  }
}

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode })
}

export interface MailHarness {
  dir: string
  store: Store
  clock: ManualClock
  files: AudioFiles
  config: Config
  worker: OutboxWorker
  notifier: MailNotifier
}

/**
 * Store in `t.testdir()`, domain `pbx.example.com` (America/Chicago), worker and notifier over the given SMTP
 * port (undefined: spool mode). Kicks are off: tests drive `runDue` by hand with the manual clock.
 */
export async function mailHarness(
  t: Test,
  options: {
    smtpPort?: number
    smtp?: Partial<SmtpConfig>
    templatesDir?: string
    log?: Logger
    kickOnEnqueue?: boolean
    mwi?: MwiRequests
    /** The worker's outbox (default: one over the store). */
    outbox?: (store: Store) => OutboxRepo
  } = {},
): Promise<MailHarness> {
  const dir = t.testdir()
  const clock = new ManualClock(RECEIVED_AT)
  const store = await openStore(join(dir, 'voicemail.db'), clock)
  await store.domains.ensure('pbx.example.com', {
    mode: 'dual',
    autoProvision: true,
    timezone: 'America/Chicago',
  })
  const config: Config = {
    ...defaults,
    stateDir: dir,
    mail: {
      ...defaults.mail,
      from: 'Voicemail <vm@pbx.example.com>',
      ...(options.templatesDir !== undefined ? { templatesDir: options.templatesDir } : {}),
    },
    ...(options.smtpPort !== undefined
      ? {
          smtp: {
            host: '127.0.0.1',
            port: options.smtpPort,
            secure: false,
            requireTls: false,
            rejectUnauthorized: false,
            ...options.smtp,
          },
        }
      : {}),
  }
  const files = new AudioFiles(dir)
  const log = options.log ?? silentLogger()
  const worker = new OutboxWorker({
    store,
    files,
    transport: createTransport(config),
    config,
    clock,
    log,
    ...(options.mwi !== undefined ? { mwi: options.mwi } : {}),
    ...(options.outbox !== undefined ? { outbox: options.outbox(store) } : {}),
  })
  const notifier = new MailNotifier({
    store,
    config,
    clock,
    log,
    worker,
    kickOnEnqueue: options.kickOnEnqueue ?? false,
  })
  t.teardown(async () => {
    await worker.stop()
    await store.close().catch(() => undefined)
  })
  return { dir, store, clock, files, config, worker, notifier }
}

/** Box `id` in pbx.example.com with the given settings. */
export function makeBox(
  h: MailHarness,
  settings: {
    id?: string
    name?: string
    email?: string[]
    keepAfterEmail?: boolean
    attachAudio?: boolean
  } = {},
): Promise<Mailbox> {
  return h.store.mailboxes.create({
    domain: 'pbx.example.com',
    id: settings.id ?? '100',
    kind: 'personal',
    name: settings.name ?? 'Alice',
    email: settings.email ?? ['alice@example.com'],
    ...(settings.keepAfterEmail !== undefined ? { keepAfterEmail: settings.keepAfterEmail } : {}),
    ...(settings.attachAudio !== undefined ? { attachAudio: settings.attachAudio } : {}),
  })
}

/** A stored message with the real FreeSWITCH WAV as its file. Resolves to the row and the file's bytes. */
export async function makeMessage(
  h: MailHarness,
  box: Mailbox,
  caller: { name?: string; number?: string; urgent?: boolean; durationMs?: number } = {},
): Promise<{ message: Message; wav: Buffer; path: string }> {
  const uuid = randomUUID()
  const path = h.files.messagePath(box.domain, box.id, uuid)
  await h.files.prepare(path)
  await copyFile(WAV_FIXTURE, path)
  const wav = await readFile(path)
  const message = await h.store.messages.insert({
    uuid,
    mailboxRowId: box.rowId,
    callerIdName: caller.name ?? 'Bob Builder',
    callerIdNumber: caller.number ?? '1001',
    urgent: caller.urgent ?? false,
    receivedAt: RECEIVED_AT,
    durationMs: caller.durationMs ?? 65_000,
    sizeBytes: wav.length,
    file: h.files.toStored(path),
  })
  return { message, wav, path }
}

import { mkdir, open, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer'
import type { Config, SmtpConfig } from '../config/types.js'
import { fsyncFolder } from '../store/folder-sync.js'

/** What the outbox worker needs from a way of sending mail. */
export interface MailTransport {
  /** `smtp` or `spool`, for logs. */
  readonly name: string
  /**
   * Hand one message over. Resolves when the server accepted it (or the spool file is durable) with the
   * accepted and rejected recipients and the server's reply; rejects with nodemailer's error (code, responseCode).
   */
  send(message: SendMailOptions, meta: { outboxId: number; now: number }): Promise<SendResult>
  close(): void
}

export interface SendResult {
  accepted: string[]
  rejected: string[]
  response: string
}

/** Connection limits: generous for a slow relay, short enough that a dead one does not stall the queue for long. */
const CONNECTION_TIMEOUT_MS = 30_000
const GREETING_TIMEOUT_MS = 30_000
const SOCKET_TIMEOUT_MS = 60_000

/**
 * A nodemailer SMTP transporter for our settings (TLS, STARTTLS requirement, certificate check, optional login).
 * The outbox sends through it; `voicemailctl doctor` verifies the server with it, so both see the same server.
 */
export function createSmtpTransporter(
  smtp: SmtpConfig,
  timeouts: { connectionMs: number; greetingMs: number; socketMs: number },
  pool?: { maxConnections: number; idleMs: number },
): Transporter {
  return nodemailer.createTransport({
    ...(pool === undefined
      ? {}
      : { pool: true, maxConnections: pool.maxConnections, maxMessages: 100, idleTimeout: pool.idleMs }),
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.requireTls,
    tls: { rejectUnauthorized: smtp.rejectUnauthorized },
    ...(smtp.user !== undefined ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
    connectionTimeout: timeouts.connectionMs,
    greetingTimeout: timeouts.greetingMs,
    socketTimeout: timeouts.socketMs,
  })
}

/** SMTP connections kept open at most (the outbox worker sends as many mails at once: `SEND_CONCURRENCY`). */
export const SMTP_CONNECTIONS = 8
/** An SMTP connection idle this long is closed (relays drop idle clients after minutes: postfix 300 s). */
const SMTP_IDLE_MS = 60_000

/**
 * SMTP through nodemailer. `secure` = implicit TLS (465); otherwise STARTTLS is used whenever the server offers
 * it, and `requireTls` refuses to send without it. A pool of up to `SMTP_CONNECTIONS` connections, each kept open
 * for a minute after its last mail and renewed after 100 mails: a burst of messages (many calls ending at once)
 * skips the TCP, greeting, EHLO, STARTTLS and AUTH round trips of all but its first mails (issue 12). A connection
 * the relay closed while idle is noticed by nodemailer, which sends on a new one; a mail whose connection dropped
 * mid-send is requeued by nodemailer (up to 5 times) before our own retry policy applies.
 */
export class SmtpTransport implements MailTransport {
  readonly name = 'smtp'
  private readonly transporter: Transporter

  constructor(smtp: SmtpConfig) {
    this.transporter = createSmtpTransporter(
      smtp,
      { connectionMs: CONNECTION_TIMEOUT_MS, greetingMs: GREETING_TIMEOUT_MS, socketMs: SOCKET_TIMEOUT_MS },
      { maxConnections: SMTP_CONNECTIONS, idleMs: SMTP_IDLE_MS },
    )
  }

  async send(message: SendMailOptions): Promise<SendResult> {
    const info = (await this.transporter.sendMail(message)) as {
      accepted?: unknown[]
      rejected?: unknown[]
      response?: string
    }
    return {
      accepted: (info.accepted ?? []).map(String),
      rejected: (info.rejected ?? []).map(String),
      response: info.response ?? '',
    }
  }

  close(): void {
    this.transporter.close()
  }
}

/**
 * No SMTP host configured: each mail becomes `<spoolDir>/<timestamp>-<row>.eml`, built by nodemailer itself
 * (stream transport, CRLF line ends) so the file is exactly what SMTP would have carried. Written to a dot-file,
 * fsynced, then renamed and the folder fsynced: a spool file is either whole or absent, and a tool picking up
 * `*.eml` never sees half a mail.
 */
export class SpoolTransport implements MailTransport {
  readonly name = 'spool'
  private readonly transporter: Transporter

  constructor(readonly spoolDir: string) {
    this.transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' })
  }

  async send(message: SendMailOptions, meta: { outboxId: number; now: number }): Promise<SendResult> {
    const info = (await this.transporter.sendMail(message)) as { message: Buffer; envelope: { to: string[] } }
    await mkdir(this.spoolDir, { recursive: true, mode: 0o750 })
    const name = `${spoolStamp(meta.now)}-${meta.outboxId}.eml`
    const temp = join(this.spoolDir, `.${name}.tmp`)
    const handle = await open(temp, 'w', 0o640)
    try {
      await handle.writeFile(info.message)
      await handle.sync()
    } finally {
      await handle.close()
    }
    try {
      await rename(temp, join(this.spoolDir, name))
    } catch (err) {
      await rm(temp, { force: true })
      throw err
    }
    await fsyncFolder(this.spoolDir)
    return { accepted: info.envelope.to, rejected: [], response: `spooled ${name}` }
  }

  close(): void {
    this.transporter.close()
  }
}

/** `20261126T114700123Z`: sorts in time order, safe in any file system. */
function spoolStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:.]/g, '')
}

/** SMTP when `smtp` is configured (with a host), else the spool folder `<stateDir>/mail-spool`. */
export function createMailTransport(smtp: SmtpConfig | undefined, stateDir: string): MailTransport {
  if (smtp !== undefined && smtp.host !== '') return new SmtpTransport(smtp)
  return new SpoolTransport(join(stateDir, 'mail-spool'))
}

/** `createMailTransport` from the whole config (what the daemon wiring calls). */
export function createTransport(config: Pick<Config, 'smtp' | 'stateDir'>): MailTransport {
  return createMailTransport(config.smtp, config.stateDir)
}

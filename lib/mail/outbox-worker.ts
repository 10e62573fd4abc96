import { readFile } from 'node:fs/promises'
import type { Clock } from '../clock.js'
import type { Config } from '../config/types.js'
import type { MwiRequests } from '../contracts/lamps.js'
import type { Logger } from '../log.js'
import type { AudioFiles } from '../store/audio-files.js'
import type { Store } from '../store/index.js'
import { OutboxRepo, type OutboxEntry } from '../store/outbox.js'
import { classifySendError } from './classify.js'
import { composeMail, type AttachmentInput } from './compose.js'
import { deleteMessageAfterEmail } from './delete-after-email.js'
import { parsePayload, type MailPayload } from './payload.js'
import { loadTemplates, type TemplateSet } from './templates.js'
import { SMTP_CONNECTIONS, type MailTransport, type SendResult } from './transport.js'

export interface OutboxWorkerDeps {
  store: Store
  files: AudioFiles
  transport: MailTransport
  /** `mail` (from, templatesDir, retry policy) is read from it. */
  config: Config
  clock: Clock
  log: Logger
  /** Defaults to an OutboxRepo over `store.db`. */
  outbox?: OutboxRepo
  /** Already loaded templates; otherwise loaded from `config.mail.templatesDir` on first use. */
  templates?: TemplateSet
  /** Lamps to refresh when a keep-after-email = no message is deleted. */
  mwi?: MwiRequests
  /**
   * Told every delivery attempt's outcome and, for a sent mail, how long after it was queued it was accepted
   * (by the clock): the daemon's metrics. Must not throw.
   */
  onAttempt?: (outcome: 'sent' | 'retried' | 'failed', queuedForMs?: number) => void
}

/** What one `runDue` did. `skipped`: another run was in progress, this call did nothing. */
export interface RunSummary {
  skipped: boolean
  sent: number
  retried: number
  failed: number
}

type Outcome = 'sent' | 'retried' | 'failed'

/**
 * A claimed row's lease: if the daemon dies mid-send, the row becomes due again after this long. Longer than any
 * single SMTP exchange can take with our timeouts (30 s connect + 30 s greeting + 60 s idle per command).
 */
const LEASE_MS = 10 * 60 * 1000

/** Mails sent at once by one pass (one pooled SMTP connection each; relays allow far more per client, postfix 50). */
const SEND_CONCURRENCY = SMTP_CONNECTIONS

/**
 * Sends due mail from the outbox (SPEC §5). Called every 30 s by the outbox job and `kick`ed right after a mail is
 * queued. A pass claims due rows for its free senders (up to `SEND_CONCURRENCY` mails at once), takes mail queued
 * meanwhile as senders come free, and ends once nothing is due and nothing is in flight; `stop()` waits for it, so
 * it never strands a claimed row. A `runDue` while another is in progress returns at once (`skipped`), so the same
 * row is never sent by two passes of this process, and the claim's lease keeps other processes off it.
 */
export class OutboxWorker {
  readonly outbox: OutboxRepo
  private running: Promise<RunSummary> | undefined
  private templates: TemplateSet | undefined
  private kickTimer: NodeJS.Immediate | undefined
  private kickAgain = false
  /** Wakes a pass waiting for a free sender, to claim what a `kick` announced. */
  private wakePass: (() => void) | undefined
  private stopped = false

  constructor(private deps: OutboxWorkerDeps) {
    this.outbox = deps.outbox ?? new OutboxRepo(deps.store.db)
    this.templates = deps.templates
  }

  /**
   * Load and check the templates now (daemon start, `voicemailctl doctor`). Resolves to them; rejects with
   * TemplateError listing every problem. Until it succeeds, `runDue` sends nothing (mail waits in the queue).
   */
  async verifyTemplates(): Promise<TemplateSet> {
    if (this.templates === undefined) {
      const dir = this.deps.config.mail.templatesDir
      this.templates = await loadTemplates(dir !== undefined ? { templatesDir: dir } : {})
    }
    return this.templates
  }

  /**
   * Send every pending mail due at `now`. Resolves to a summary; rejects only with StoreError (database trouble),
   * since every mail failure is an outcome recorded on its row.
   */
  runDue(now: number = this.deps.clock.now()): Promise<RunSummary> {
    if (this.running !== undefined) return Promise.resolve({ skipped: true, sent: 0, retried: 0, failed: 0 })
    // The background lane: a burst of calls' commits and lamps go before the mails of the messages before them.
    const run = this.deps.store.db
      .inBackground(() => this.pass(now))
      .finally(() => {
        this.running = undefined
        if (this.kickAgain) {
          this.kickAgain = false
          this.kick()
        }
      })
    this.running = run
    return run
  }

  /**
   * Ask for a run soon (on the next turn of the event loop), e.g. right after a mail was queued. Never overlaps a
   * running pass: if one is in progress, another follows it. Failures are logged, never thrown.
   */
  kick(): void {
    if (this.stopped) return
    if (this.running !== undefined) {
      this.kickAgain = true
      this.wakePass?.()
      return
    }
    if (this.kickTimer !== undefined) return
    this.kickTimer = setImmediate(() => {
      this.kickTimer = undefined
      this.runDue().catch((err: unknown) => this.deps.log.error({ err }, 'outbox run failed'))
    })
  }

  /**
   * Apply a reloaded configuration (SIGHUP): the next mail goes through `transport` (new SMTP host, port,
   * credentials, TLS) with the new From address, retry policy and templates. A mail being sent right now finishes
   * on the old transport, which is closed after that pass. Rejects with TemplateError (and changes nothing) when
   * the new templates folder has problems.
   */
  async reconfigure(config: Config, transport: MailTransport): Promise<void> {
    const dir = config.mail.templatesDir
    const templates =
      dir === this.deps.config.mail.templatesDir && this.templates !== undefined
        ? this.templates
        : await loadTemplates(dir !== undefined ? { templatesDir: dir } : {})
    const old = this.deps.transport
    this.deps = { ...this.deps, config, transport }
    this.templates = templates
    void (this.running ?? Promise.resolve()).catch(() => undefined).finally(() => old.close())
  }

  /** Resolves once no run is in progress and no kick is waiting (tests, `voicemailctl job run outbox`). */
  async whenIdle(): Promise<void> {
    while (this.running !== undefined || this.kickTimer !== undefined) {
      if (this.running !== undefined) await this.running.catch(() => undefined)
      else await new Promise<void>((resolve) => setImmediate(resolve))
    }
  }

  /** No more kicks; waits for a run in progress (it stops after its current mail) and closes the transport. */
  async stop(): Promise<void> {
    this.stopped = true
    if (this.kickTimer !== undefined) clearImmediate(this.kickTimer)
    this.kickTimer = undefined
    await this.running?.catch(() => undefined)
    this.deps.transport.close()
  }

  private async pass(now: number): Promise<RunSummary> {
    const summary: RunSummary = { skipped: false, sent: 0, retried: 0, failed: 0 }
    let templates: TemplateSet
    try {
      templates = await this.verifyTemplates()
    } catch (err) {
      this.deps.log.error({ err }, 'mail templates unusable: mail stays queued')
      return summary
    }
    // A few sends in flight: one SMTP exchange is mostly waiting on the relay, and a burst of calls (many
    // messages committed within a second) otherwise queues behind it (measured: BENCHMARKS.md). The rows are
    // claimed in one transaction for all free senders, not one per sender: the store has one connection, and
    // eight claims at once held up the commits and lamps of the calls ending beside them (issue 12). A mail
    // queued while the pass runs (`kick`) is claimed by it as soon as a sender is free, not after the pass.
    const sending = new Set<Promise<void>>()
    let failure: { err: unknown } | undefined
    let moreDue = true
    while (!this.stopped && failure === undefined) {
      const free = SEND_CONCURRENCY - sending.size
      if (free > 0 && (moreDue || this.kickAgain)) {
        this.kickAgain = false
        const at = Math.max(now, this.deps.clock.now())
        const entries = await this.outbox.claimDue(at, free, LEASE_MS)
        moreDue = entries.length === free
        for (const entry of entries) {
          const send: Promise<void> = this.deliverCounted(entry, templates, at, summary)
            .catch((err: unknown) => void (failure ??= { err }))
            .finally(() => sending.delete(send))
          sending.add(send)
        }
        continue
      }
      if (sending.size === 0) break
      await Promise.race([...sending, new Promise<void>((resolve) => (this.wakePass = resolve))])
      this.wakePass = undefined
    }
    // Every claimed row is finished before the pass ends, so `stop()` never strands one.
    await Promise.all(sending)
    if (failure !== undefined) throw failure.err
    if (summary.sent + summary.retried + summary.failed > 0) this.deps.log.info(summary, 'outbox run done')
    return summary
  }

  /** `deliver`, counted in the pass's summary and told to `onAttempt`. */
  private async deliverCounted(
    entry: OutboxEntry,
    templates: TemplateSet,
    now: number,
    summary: RunSummary,
  ): Promise<void> {
    const outcome = await this.deliver(entry, templates, now)
    summary[outcome]++
    this.deps.onAttempt?.(
      outcome,
      outcome === 'sent' ? Math.max(0, this.deps.clock.now() - entry.createdAt) : undefined,
    )
  }

  private async deliver(entry: OutboxEntry, templates: TemplateSet, now: number): Promise<Outcome> {
    const { log, config } = this.deps
    const fields = {
      outboxId: entry.id,
      attempt: entry.attempts,
      kind: entry.kind,
      recipient: entry.recipients.join(', '),
      transport: this.deps.transport.name,
    }
    let mail: MailPayload
    try {
      mail = parsePayload(entry.kind, entry.payload)
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err)
      await this.outbox.markFailed(entry.id, error)
      log.error({ ...fields, outcome: 'failed', error }, 'mail attempt')
      return 'failed'
    }
    let result: SendResult
    try {
      const attachment = await this.attachmentOf(mail)
      if (attachment === 'missing') log.warn(fields, 'recording gone: mail sent without it')
      const message = composeMail({
        outboxId: entry.id,
        createdAt: entry.createdAt,
        recipients: entry.recipients,
        mail,
        templates,
        from: config.mail.from,
        attachment,
      })
      result = await this.deps.transport.send(message, { outboxId: entry.id, now })
    } catch (err) {
      return this.failed(entry, err, now, fields)
    }
    // Outside the try: a database error here is not a send failure (the mail is out). It propagates as a
    // StoreError; the row keeps its lease and is retried after it, the one case where a mail may go out twice.
    await this.outbox.markSent(entry.id, now)
    log.info(
      { ...fields, outcome: 'sent', rejected: result.rejected, response: result.response },
      'mail attempt',
    )
    if (mail.kind === 'new-message' && entry.messageRowId !== undefined) {
      // The mail is out; deleting the message is a separate step whose failure only means the message stays.
      await deleteMessageAfterEmail(entry.messageRowId, {
        outbox: this.outbox,
        store: this.deps.store,
        files: this.deps.files,
        log,
        ...(this.deps.mwi !== undefined ? { mwi: this.deps.mwi } : {}),
      }).catch((err: unknown) => log.error({ err, outboxId: entry.id }, 'delete after email failed'))
    }
    return 'sent'
  }

  private async failed(entry: OutboxEntry, err: unknown, now: number, fields: object): Promise<Outcome> {
    const { log, config } = this.deps
    const { kind, summary } = classifySendError(err)
    const giveUpMs = config.mail.giveUpHours * 3600 * 1000
    if (kind === 'permanent') {
      await this.outbox.markFailed(entry.id, summary)
      log.error({ ...fields, outcome: 'failed', failure: kind, error: summary }, 'mail attempt')
      return 'failed'
    }
    if (now - entry.createdAt >= giveUpMs) {
      const error = `gave up after ${config.mail.giveUpHours} h: ${summary}`
      await this.outbox.markFailed(entry.id, error)
      log.error({ ...fields, outcome: 'failed', failure: 'gave-up', error: summary }, 'mail attempt')
      return 'failed'
    }
    const retryAt =
      now + backoffMs(entry.attempts, config.mail.initialBackoffSeconds, config.mail.maxBackoffSeconds)
    await this.outbox.scheduleRetry(entry.id, retryAt, summary)
    log.warn({ ...fields, outcome: 'retry', failure: kind, error: summary, retryAt }, 'mail attempt')
    return 'retried'
  }

  /** The WAV of a message mail: its bytes, `missing` if the file is gone, undefined when none is to be attached. */
  private async attachmentOf(mail: MailPayload): Promise<AttachmentInput> {
    if (mail.kind !== 'new-message' && mail.kind !== 'message-copy') return undefined
    const file = mail.payload.attachFile
    if (file === undefined) return undefined
    try {
      return { content: await readFile(this.deps.files.fromStored(file)) }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing'
      throw err
    }
  }
}

/** Delay before retry number `attempts` (1 = after the first failure): initial × 2^(attempts−1), capped. */
export function backoffMs(attempts: number, initialSeconds: number, maxSeconds: number): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30)
  return Math.min(initialSeconds * 2 ** exponent, maxSeconds) * 1000
}

import { randomUUID } from 'node:crypto'
import type { Clock } from '../clock.js'
import type { Config } from '../config/types.js'
import type { MailRequests } from '../contracts/mail.js'
import type { Logger } from '../log.js'
import { StoreError } from '../store/errors.js'
import type { Store } from '../store/index.js'
import { OutboxRepo, type NewOutboxEntry } from '../store/outbox.js'
import type { Access, Mailbox, Message } from '../store/types.js'
import { validTimezone } from './format.js'
import type { BoxInfo, FullPayload, LockoutPayload, MailKind, MessagePayload } from './payload.js'

export interface MailNotifierDeps {
  store: Store
  config: Config
  clock: Clock
  log: Logger
  /** The worker to kick after queueing (and whose outbox to use). */
  worker?: { kick(): void; readonly outbox?: OutboxRepo }
  /** Defaults to the worker's outbox, else an OutboxRepo over `store.db`. */
  outbox?: OutboxRepo
  /** Kick the worker after each enqueue so mail goes out at once, not at the next tick. Default true. */
  kickOnEnqueue?: boolean
}

/**
 * What flows and jobs call to have mail sent: each method only queues outbox rows (one per recipient) and
 * returns; the OutboxWorker delivers. A new message's mails are queued in the transaction that writes its row
 * (`queueNewMessage`, SPEC §8). Otherwise a mail problem never throws into a call flow: only a database failure
 * (StoreError) rejects, everything else is logged.
 */
export class MailNotifier implements MailRequests {
  private readonly outbox: OutboxRepo

  constructor(private readonly deps: MailNotifierDeps) {
    this.outbox = deps.outbox ?? deps.worker?.outbox ?? new OutboxRepo(deps.store.db)
  }

  /** A new message: one mail per recipient of the box; kept or deleted after acceptance per keepAfterEmail. */
  newMessage(box: Mailbox, message: Message): Promise<void> {
    return this.guard(box, 'new-message', async () => this.queueMessage('new-message', box, message))
  }

  /**
   * `newMessage` for a caller's transaction (`storeNewMessage`): queues the rows and logs, but never kicks the
   * worker (it could claim rows the transaction has not committed) and rejects on any failure, so the caller's
   * transaction rolls back with it.
   */
  async queueNewMessage(box: Mailbox, message: Message): Promise<void> {
    const fields = { mailbox: box.id, domain: box.domain, kind: 'new-message' }
    if (box.email.length === 0) {
      this.deps.log.info(fields, 'no email recipients: nothing queued')
      return
    }
    const queued = await this.queueMessage('new-message', box, message)
    if (queued > 0) this.deps.log.info({ ...fields, recipients: queued }, 'mail queued')
  }

  /** The owner pressed 4 ("email it"): a copy to the box's recipients; never deletes the message. */
  emailMessage(box: Mailbox, message: Message): Promise<void> {
    return this.guard(box, 'message-copy', async () => this.queueMessage('message-copy', box, message))
  }

  /**
   * Queue the "mailbox full" notice. Once-per-episode is the caller's business (`lib/quota/box-quota.ts`); this only
   * skips boxes whose full-box notice is turned off.
   */
  mailboxFull(box: Mailbox, usage: { usedBytes: number; quotaBytes: number }): Promise<void> {
    return this.guard(box, 'mailbox-full', async () => {
      if (!box.notifyFull) {
        this.deps.log.info({ mailbox: box.id, domain: box.domain }, 'full-box notice turned off for this box')
        return 0
      }
      const payload: FullPayload = {
        ...(await this.base(box)),
        usedBytes: usage.usedBytes,
        quotaBytes: usage.quotaBytes,
      }
      return this.enqueue('mailbox-full', box, undefined, payload)
    })
  }

  /**
   * Queue the lockout notice: `access` to the box was locked after too many wrong PINs until `lockedUntil`
   * (epoch ms). Rate-limiting is the lockout policy's business (`LockoutPolicy.registerFailure`).
   */
  lockout(box: Mailbox, lockedUntil: number, access: Access = 'remote'): Promise<void> {
    return this.guard(box, 'lockout', async () => {
      const payload: LockoutPayload = { ...(await this.base(box)), lockedUntil, access }
      return this.enqueue('lockout', box, undefined, payload)
    })
  }

  /** Ask the worker to send soon (never overlaps a running pass); nothing when `kickOnEnqueue` is false. */
  kick(): void {
    if (this.deps.kickOnEnqueue !== false) this.deps.worker?.kick()
  }

  private async queueMessage(kind: MailKind, box: Mailbox, message: Message): Promise<number> {
    const [counts, base] = await Promise.all([this.deps.store.messages.counts(box.rowId), this.base(box)])
    const payload: MessagePayload = {
      ...base,
      messageUuid: message.uuid,
      callerName: message.callerIdName,
      callerNumber: message.callerIdNumber,
      receivedAt: message.receivedAt,
      durationMs: message.durationMs,
      urgent: message.urgent,
      newCount: counts.new,
      savedCount: counts.saved,
      ...(box.attachAudio ? { attachFile: message.file } : {}),
    }
    return this.enqueue(kind, box, message.rowId, payload)
  }

  private async base(box: Mailbox): Promise<{ v: 1; mid: string; box: BoxInfo }> {
    const zone = box.timezone ?? (await this.deps.store.domains.get(box.domain))?.timezone
    return {
      v: 1,
      mid: randomUUID(),
      box: { id: box.id, name: box.name, domain: box.domain, timezone: validTimezone(zone) },
    }
  }

  /** One row per recipient; every row of one call shares the payload but gets its own Message-ID (row id). */
  private async enqueue(
    kind: MailKind,
    box: Mailbox,
    messageRowId: number | undefined,
    payload: object,
  ): Promise<number> {
    // The same address listed twice (any case) gets one mail.
    const seen = new Set<string>()
    const recipients = box.email
      .map((r) => r.trim())
      .filter((r) => r !== '' && !seen.has(r.toLowerCase()) && seen.add(r.toLowerCase()))
    const entries: NewOutboxEntry[] = recipients.map((recipient) => ({
      kind,
      mailboxRowId: box.rowId,
      ...(messageRowId !== undefined ? { messageRowId } : {}),
      recipients: [recipient],
      payload,
    }))
    await this.outbox.enqueue(entries, this.deps.clock.now())
    return entries.length
  }

  private async guard(box: Mailbox, kind: MailKind, queue: () => Promise<number>): Promise<void> {
    const fields = { mailbox: box.id, domain: box.domain, kind }
    if (box.email.length === 0) {
      this.deps.log.info(fields, 'no email recipients: nothing queued')
      return
    }
    try {
      const queued = await queue()
      if (queued > 0) {
        this.deps.log.info({ ...fields, recipients: queued }, 'mail queued')
        this.kick()
      }
    } catch (err) {
      if (err instanceof StoreError) throw err
      this.deps.log.error({ ...fields, err }, 'mail could not be queued')
    }
  }
}

import type { Db, SqlValue } from './db.js'

export type OutboxStatus = 'pending' | 'sent' | 'failed'

/** One queued mail as the store keeps it. `payload` is whatever the mail layer stored (parsed JSON). */
export interface OutboxEntry {
  id: number
  /** What the mail is (`new-message`, `message-copy`, `mailbox-full`, `lockout`): the mail layer's vocabulary. */
  kind: string
  mailboxRowId?: number
  /** Set for mails about one message; cleared by SQLite when that message row is deleted. */
  messageRowId?: number
  /** Envelope recipients (the notifier queues one row per recipient, so one address in practice). */
  recipients: string[]
  payload: unknown
  status: OutboxStatus
  /** Attempts made so far (a claim counts as one). */
  attempts: number
  nextAttemptAt: number
  createdAt: number
  sentAt?: number
  lastError?: string
}

/** What to queue. */
export interface NewOutboxEntry {
  kind: string
  mailboxRowId?: number
  messageRowId?: number
  recipients: readonly string[]
  payload: unknown
}

interface OutboxRow {
  id: number
  kind: string
  mailbox_id: number | null
  message_id: number | null
  recipients: string
  payload: string
  status: string
  attempts: number
  next_attempt_at: number
  created_at: number
  sent_at: number | null
  last_error: string | null
}

/** The one place a `mail_outbox` row becomes an `OutboxEntry`. */
function toEntry(row: OutboxRow): OutboxEntry {
  const recipients: unknown = JSON.parse(row.recipients)
  const entry: OutboxEntry = {
    id: row.id,
    kind: row.kind,
    recipients: Array.isArray(recipients) ? recipients.filter((r): r is string => typeof r === 'string') : [],
    payload: JSON.parse(row.payload),
    status: row.status as OutboxStatus,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
  }
  if (row.mailbox_id !== null) entry.mailboxRowId = row.mailbox_id
  if (row.message_id !== null) entry.messageRowId = row.message_id
  if (row.sent_at !== null) entry.sentAt = row.sent_at
  if (row.last_error !== null) entry.lastError = row.last_error
  return entry
}

/** Longest `last_error` kept: enough for an SMTP reply, not a stack dump. */
const MAX_ERROR_LENGTH = 500

/**
 * The mail outbox (SPEC §5): a message's mails are queued here in the transaction that stores the message
 * (lifecycle/new-message.ts `storeNewMessage`), so there is never a message without its mail, and sent by the
 * outbox worker. Times are epoch ms passed in by the caller (the worker's injected clock), so the retry
 * schedule is testable without waiting.
 */
export class OutboxRepo {
  constructor(private readonly db: Db) {}

  /**
   * Queue mails, all or none (one transaction), due at `now`. Resolves to the new rows' ids in order; rejects with
   * StoreError on a database failure.
   */
  enqueue(entries: readonly NewOutboxEntry[], now: number): Promise<number[]> {
    return this.db.transaction(async () => {
      const ids: number[] = []
      for (const e of entries) {
        const { lastId } = await this.db.run(
          `INSERT INTO mail_outbox (kind, mailbox_id, message_id, recipients, payload, next_attempt_at, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
          [
            e.kind,
            e.mailboxRowId ?? null,
            e.messageRowId ?? null,
            JSON.stringify(e.recipients),
            JSON.stringify(e.payload),
            now,
            now,
          ],
        )
        ids.push(lastId)
      }
      return ids
    })
  }

  /**
   * Claim up to `limit` pending rows due at `now`, oldest due first. A claim counts one attempt and pushes
   * `next_attempt_at` to `now + leaseMs` in the same conditional UPDATE, so a second worker (another process such
   * as `voicemailctl job run outbox`) cannot take the same row, and a worker that dies mid-send leaves the row to
   * be retried once the lease runs out. Resolves to the claimed entries (attempts already counted).
   */
  claimDue(now: number, limit: number, leaseMs: number): Promise<OutboxEntry[]> {
    return this.db.transaction(async () => {
      const rows = await this.db.all<OutboxRow>(
        `SELECT * FROM mail_outbox WHERE status = 'pending' AND next_attempt_at <= ?
         ORDER BY next_attempt_at, id LIMIT ?`,
        [now, limit],
      )
      const claimed: OutboxEntry[] = []
      for (const row of rows) {
        const { changes } = await this.db.run(
          `UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = ?
           WHERE id = ? AND status = 'pending' AND next_attempt_at <= ?`,
          [now + leaseMs, row.id, now],
        )
        if (changes === 1) {
          claimed.push(toEntry({ ...row, attempts: row.attempts + 1, next_attempt_at: now + leaseMs }))
        }
      }
      return claimed
    })
  }

  /** The server accepted it. */
  async markSent(id: number, now: number): Promise<void> {
    await this.db.run(`UPDATE mail_outbox SET status = 'sent', sent_at = ? WHERE id = ?`, [now, id])
  }

  /** A temporary failure: try again at `at`. */
  async scheduleRetry(id: number, at: number, error: string): Promise<void> {
    await this.db.run(
      `UPDATE mail_outbox SET status = 'pending', next_attempt_at = ?, last_error = ? WHERE id = ?`,
      [at, clip(error), id],
    )
  }

  /** A permanent failure, or temporary ones for longer than the give-up time: no more automatic attempts. */
  async markFailed(id: number, error: string): Promise<void> {
    await this.db.run(`UPDATE mail_outbox SET status = 'failed', last_error = ? WHERE id = ?`, [
      clip(error),
      id,
    ])
  }

  /**
   * Put a failed (or pending) mail back in the queue, due now (`voicemailctl mail retry`). The give-up window
   * restarts: `created_at` becomes `now`, otherwise a mail older than the give-up time would fail again after one
   * temporary error. Resolves true when the row exists and was not already sent.
   */
  async retry(id: number, now: number): Promise<boolean> {
    const { changes } = await this.db.run(
      `UPDATE mail_outbox SET status = 'pending', next_attempt_at = ?, created_at = ?
       WHERE id = ? AND status <> 'sent'`,
      [now, now, id],
    )
    return changes === 1
  }

  async get(id: number): Promise<OutboxEntry | undefined> {
    const row = await this.db.get<OutboxRow>('SELECT * FROM mail_outbox WHERE id = ?', [id])
    return row === undefined ? undefined : toEntry(row)
  }

  /** Mails newest first, optionally of one status or one box (`voicemailctl mail list`). */
  async list(
    filter: { status?: OutboxStatus; mailboxRowId?: number; limit?: number } = {},
  ): Promise<OutboxEntry[]> {
    const where: string[] = []
    const params: SqlValue[] = []
    if (filter.status !== undefined) {
      where.push('status = ?')
      params.push(filter.status)
    }
    if (filter.mailboxRowId !== undefined) {
      where.push('mailbox_id = ?')
      params.push(filter.mailboxRowId)
    }
    params.push(filter.limit ?? 100)
    const rows = await this.db.all<OutboxRow>(
      `SELECT * FROM mail_outbox ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY id DESC LIMIT ?`,
      params,
    )
    return rows.map(toEntry)
  }

  /** How many mails of `kind` about one message are not sent yet (pending or failed). */
  async unsentForMessage(messageRowId: number, kind: string): Promise<number> {
    const row = await this.db.get<{ n: number }>(
      `SELECT count(*) AS n FROM mail_outbox WHERE message_id = ? AND kind = ? AND status <> 'sent'`,
      [messageRowId, kind],
    )
    return row?.n ?? 0
  }

  /** How many mails gave up (status failed): doctor's warning. Rejects with StoreError. */
  async failedCount(): Promise<number> {
    const row = await this.db.get<{ n: number }>(
      "SELECT count(*) AS n FROM mail_outbox WHERE status = 'failed'",
    )
    return row?.n ?? 0
  }

  /** Counts per status (doctor, metrics). */
  async counts(): Promise<Record<OutboxStatus, number>> {
    const rows = await this.db.all<{ status: OutboxStatus; n: number }>(
      'SELECT status, count(*) AS n FROM mail_outbox GROUP BY status',
    )
    const counts: Record<OutboxStatus, number> = { pending: 0, sent: 0, failed: 0 }
    for (const r of rows) counts[r.status] = r.n
    return counts
  }

  /** When the oldest mail still pending was queued (epoch ms), or undefined when none is (health check). */
  async oldestPendingAt(): Promise<number | undefined> {
    const row = await this.db.get<{ at: number | null }>(
      "SELECT min(created_at) AS at FROM mail_outbox WHERE status = 'pending'",
    )
    return row?.at ?? undefined
  }
}

function clip(error: string): string {
  return error.length > MAX_ERROR_LENGTH ? `${error.slice(0, MAX_ERROR_LENGTH - 1)}…` : error
}

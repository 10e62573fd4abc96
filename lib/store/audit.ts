import type { Clock } from '../clock.js'
import type { Db } from './db.js'

/** One line of the audit log: who did what to which box. Never put a PIN in `detail`. */
export interface AuditEntry {
  id: number
  at: number
  mailboxRowId?: number
  /** `phone:<call uuid>`, `voicemailctl`, `config`, `daemon`, … */
  actor: string
  /** `pin.changed`, `box.locked`, `box.unlocked`, `box.created`, … */
  action: string
  detail: Record<string, unknown>
}

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'>

interface AuditRow {
  id: number
  at: number
  mailbox_id: number | null
  actor: string
  action: string
  detail: string
}

/** The one place an `audit_log` row becomes an `AuditEntry`. */
function toEntry(row: AuditRow): AuditEntry {
  const entry: AuditEntry = {
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    detail: parseDetail(row.detail),
  }
  if (row.mailbox_id !== null) entry.mailboxRowId = row.mailbox_id
  return entry
}

function parseDetail(json: string): Record<string, unknown> {
  const value: unknown = JSON.parse(json)
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
}

/**
 * Append-only audit log. Rows keep the box's row id without a foreign key, so the trail outlives a removed box.
 */
export class AuditRepo {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Append an entry stamped with the clock's now; resolves to its row id. */
  async append(entry: NewAuditEntry): Promise<number> {
    const { lastId } = await this.db.run(
      'INSERT INTO audit_log (at, mailbox_id, actor, action, detail) VALUES (?, ?, ?, ?, ?)',
      [this.clock.now(), entry.mailboxRowId ?? null, entry.actor, entry.action, JSON.stringify(entry.detail)],
    )
    return lastId
  }

  /** The newest `limit` entries (of one box when given), newest first. */
  async listRecent(limit = 100, mailboxRowId?: number): Promise<AuditEntry[]> {
    const rows =
      mailboxRowId === undefined
        ? await this.db.all<AuditRow>('SELECT * FROM audit_log ORDER BY at DESC, id DESC LIMIT ?', [limit])
        : await this.db.all<AuditRow>(
            'SELECT * FROM audit_log WHERE mailbox_id = ? ORDER BY at DESC, id DESC LIMIT ?',
            [mailboxRowId, limit],
          )
    return rows.map(toEntry)
  }
}

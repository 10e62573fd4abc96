import type { Clock } from '../clock.js'
import type { Db, SqlValue } from './db.js'
import { DeletedFileError, MessageGoneError } from './errors.js'
import { messageInsertError } from './sqlite-errors.js'
import { TombstoneRepo, type RemovalReason } from './tombstones.js'
import type { Folder, Message, MessageCounts } from './types.js'

interface MessageRow {
  id: number
  uuid: string
  mailbox_id: number
  folder: string
  deleted: number
  urgent: number
  caller_id_name: string
  caller_id_number: string
  received_at: number
  saved_at: number | null
  heard_at: number | null
  duration_ms: number
  size_bytes: number
  file: string
  missing: number
  forwarded_from: string | null
}

/** The one place a `messages` row becomes a `Message`. */
function toMessage(row: MessageRow): Message {
  const message: Message = {
    rowId: row.id,
    uuid: row.uuid,
    mailboxRowId: row.mailbox_id,
    folder: row.folder as Folder,
    deleted: row.deleted !== 0,
    urgent: row.urgent !== 0,
    callerIdName: row.caller_id_name,
    callerIdNumber: row.caller_id_number,
    receivedAt: row.received_at,
    durationMs: row.duration_ms,
    sizeBytes: row.size_bytes,
    file: row.file,
    missing: row.missing !== 0,
  }
  if (row.saved_at !== null) message.savedAt = row.saved_at
  if (row.heard_at !== null) message.heardAt = row.heard_at
  if (row.forwarded_from !== null) message.forwardedFrom = row.forwarded_from
  return message
}

/** A message to insert. The caller has already written and fsynced `file` (relative to the state directory). */
export interface NewMessage {
  uuid: string
  mailboxRowId: number
  callerIdName: string
  callerIdNumber: string
  urgent?: boolean
  /** Defaults to the clock's now. */
  receivedAt?: number
  durationMs: number
  sizeBytes: number
  file: string
  /** `box@domain` of the box it was forwarded from (a forward is a new row with its own file). */
  forwardedFrom?: string
}

/**
 * What a purge or retention run removed: the files to unlink now that the rows are gone (their deletion is already
 * recorded in `deleted_files`, see `unlinkRemoved`), and counts per box row id.
 */
export interface RemovedMessages {
  files: string[]
  perBox: Map<number, { new: number; saved: number }>
}

const DAY_MS = 24 * 60 * 60 * 1000

/** Messages of every box. Lookups resolve undefined when there is no row. */
export class MessageRepo {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly tombstones: TombstoneRepo = new TombstoneRepo(db),
  ) {}

  /**
   * Insert a new message (folder new). Caller data is stored as given (bound parameters, never spliced into SQL).
   * Rejects with StoreConflictError on a duplicate uuid or an unknown box, and with DeletedFileError when `file`
   * has a tombstone (a removed message's file is never made a message again). One statement, so the tombstone check
   * and the insert cannot be split by a deletion in another process.
   */
  async insert(message: NewMessage): Promise<Message> {
    let row: MessageRow | undefined
    try {
      // RETURNING: the new row in the same round trip (a commit in a burst waits for each one, issue 12).
      row = await this.db.get<MessageRow>(
        `INSERT INTO messages (uuid, mailbox_id, urgent, caller_id_name, caller_id_number, received_at, duration_ms,
           size_bytes, file, forwarded_from)
         SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
         WHERE NOT EXISTS (SELECT 1 FROM deleted_files WHERE file = ?)
         RETURNING *`,
        [
          message.uuid,
          message.mailboxRowId,
          message.urgent === true ? 1 : 0,
          message.callerIdName,
          message.callerIdNumber,
          message.receivedAt ?? this.clock.now(),
          message.durationMs,
          message.sizeBytes,
          message.file,
          message.forwardedFrom ?? null,
          message.file,
        ],
      )
    } catch (err) {
      throw messageInsertError(err, message)
    }
    if (row === undefined) throw new DeletedFileError(`${message.file} belongs to a deleted message`)
    return toMessage(row)
  }

  /**
   * The owner's list of a folder, deleted messages excluded: new = urgent first, then oldest first; saved = oldest
   * first. Ties (same millisecond) fall back to insertion order.
   */
  async listForOwner(mailboxRowId: number, folder: Folder): Promise<Message[]> {
    const order = folder === 'new' ? 'urgent DESC, received_at, id' : 'received_at, id'
    const rows = await this.db.all<MessageRow>(
      `SELECT * FROM messages WHERE mailbox_id = ? AND folder = ? AND deleted = 0 ORDER BY ${order}`,
      [mailboxRowId, folder],
    )
    return rows.map(toMessage)
  }

  /** Every row of a box, deleted ones included, oldest first (voicemailctl message list). */
  async listAll(mailboxRowId: number): Promise<Message[]> {
    const rows = await this.db.all<MessageRow>(
      'SELECT * FROM messages WHERE mailbox_id = ? ORDER BY received_at, id',
      [mailboxRowId],
    )
    return rows.map(toMessage)
  }

  async get(uuid: string): Promise<Message | undefined> {
    const row = await this.db.get<MessageRow>('SELECT * FROM messages WHERE uuid = ?', [uuid])
    return row === undefined ? undefined : toMessage(row)
  }

  async getByRowId(rowId: number): Promise<Message | undefined> {
    const row = await this.db.get<MessageRow>('SELECT * FROM messages WHERE id = ?', [rowId])
    return row === undefined ? undefined : toMessage(row)
  }

  /** Move to saved (key 2 or timeout). Saving also undeletes: "save" means keep it. StoreConflictError if gone. */
  async save(rowId: number): Promise<void> {
    const now = this.clock.now()
    await this.change(
      rowId,
      `folder = 'saved', deleted = 0, saved_at = coalesce(saved_at, ?), heard_at = coalesce(heard_at, ?)`,
      [now, now],
    )
  }

  /** Mark deleted or not; the row stays (and counts against quota) until purged. */
  setDeleted(rowId: number, deleted: boolean): Promise<void> {
    return this.change(rowId, 'deleted = ?', [deleted ? 1 : 0])
  }

  /** Key 7: flip deleted. Resolves to the new state. */
  toggleDeleted(rowId: number): Promise<boolean> {
    return this.db.transaction(async () => {
      await this.change(rowId, 'deleted = 1 - deleted', [])
      const row = await this.db.get<{ deleted: number }>('SELECT deleted FROM messages WHERE id = ?', [rowId])
      return row?.deleted === 1
    })
  }

  /** Listened to without saving (key 3 "next"): records heard_at, the message stays in new. */
  markHeard(rowId: number): Promise<void> {
    return this.change(rowId, 'heard_at = coalesce(heard_at, ?)', [this.clock.now()])
  }

  /** Reconcile found the row's file gone (or back, with false). */
  setMissing(rowId: number, missing = true): Promise<void> {
    return this.change(rowId, 'missing = ?', [missing ? 1 : 0])
  }

  /** Counts for MWI and the announcement; deleted messages excluded. */
  async counts(mailboxRowId: number): Promise<MessageCounts> {
    const row = await this.db.get<CountRow>(
      `SELECT ${countColumns} FROM messages WHERE mailbox_id = ? AND deleted = 0`,
      [mailboxRowId],
    )
    return toCounts(row)
  }

  /** Counts of every box that has at least one undeleted message, keyed by box row id (MWI resync). */
  async countsByBox(): Promise<Map<number, MessageCounts>> {
    const rows = await this.db.all<CountRow & { mailbox_id: number }>(
      `SELECT mailbox_id, ${countColumns} FROM messages WHERE deleted = 0 GROUP BY mailbox_id`,
    )
    return new Map(rows.map((row) => [row.mailbox_id, toCounts(row)]))
  }

  /**
   * Delete the rows of a box's deleted messages (owner hung up, `voicemailctl message delete`). Resolves to their
   * file paths, tombstoned in the same transaction, for `unlinkRemoved`.
   */
  async purgeDeleted(mailboxRowId: number, reason: RemovalReason = 'purged'): Promise<string[]> {
    const removed = await this.removeWhere('mailbox_id = ? AND deleted = 1', [mailboxRowId], reason)
    return removed.files
  }

  /**
   * Delete one message the owner has not dealt with yet (still new, not marked deleted): "keep message after
   * email = no". One conditional DELETE, so an owner who saves or deletes it meanwhile wins. Resolves to the
   * removed row's file (tombstoned in the same transaction, for `unlinkRemoved`), or undefined when nothing was
   * removed.
   */
  removeIfUntouched(rowId: number): Promise<string | undefined> {
    return this.db.transaction(async () => {
      const rows = await this.db.all<{ file: string; mailbox_id: number }>(
        `DELETE FROM messages WHERE id = ? AND folder = 'new' AND deleted = 0 RETURNING file, mailbox_id`,
        [rowId],
      )
      const row = rows[0]
      if (row === undefined) return undefined
      await this.tombstones.add(
        [{ file: row.file, mailboxRowId: row.mailbox_id }],
        'deleted-after-email',
        this.clock.now(),
      )
      return row.file
    })
  }

  /** Purge the deleted messages of every box (cleanup job). */
  purgeAllDeleted(): Promise<RemovedMessages> {
    return this.removeWhere('deleted = 1', [], 'purged')
  }

  /**
   * Retention (cleanup job): delete saved messages received more than `savedDays` days ago and new ones received
   * more than `newDays` days ago (0 = never), deleted flag or not. "More than": a message exactly N days old (to
   * the millisecond, by the injected clock) is kept; one millisecond older is removed.
   */
  deleteByRetention(retention: { savedDays: number; newDays: number }): Promise<RemovedMessages> {
    const now = this.clock.now()
    const clauses: string[] = []
    const params: SqlValue[] = []
    if (retention.savedDays > 0) {
      clauses.push(`(folder = 'saved' AND received_at < ?)`)
      params.push(now - retention.savedDays * DAY_MS)
    }
    if (retention.newDays > 0) {
      clauses.push(`(folder = 'new' AND received_at < ?)`)
      params.push(now - retention.newDays * DAY_MS)
    }
    if (clauses.length === 0) return Promise.resolve({ files: [], perBox: new Map() })
    return this.removeWhere(clauses.join(' OR '), params, 'retention')
  }

  /** Delete rows and tombstone their files in one transaction: the one way a message row leaves the store. */
  private removeWhere(where: string, params: SqlValue[], reason: RemovalReason): Promise<RemovedMessages> {
    return this.db.transaction(async () => {
      const rows = await this.db.all<{ mailbox_id: number; folder: string; file: string }>(
        `SELECT mailbox_id, folder, file FROM messages WHERE ${where}`,
        params,
      )
      await this.db.run(`DELETE FROM messages WHERE ${where}`, params)
      await this.tombstones.add(
        rows.map((r) => ({ file: r.file, mailboxRowId: r.mailbox_id })),
        reason,
        this.clock.now(),
      )
      const perBox = new Map<number, { new: number; saved: number }>()
      for (const row of rows) {
        const entry = perBox.get(row.mailbox_id) ?? { new: 0, saved: 0 }
        if (row.folder === 'saved') entry.saved++
        else entry.new++
        perBox.set(row.mailbox_id, entry)
      }
      return { files: rows.map((r) => r.file), perBox }
    })
  }

  private async change(rowId: number, set: string, params: SqlValue[]): Promise<void> {
    const { changes } = await this.db.run(`UPDATE messages SET ${set} WHERE id = ?`, [...params, rowId])
    if (changes === 0) throw new MessageGoneError(`no message with row id ${rowId}`)
  }
}

interface CountRow {
  new_count: number | null
  saved_count: number | null
  new_urgent: number | null
  saved_urgent: number | null
}

const countColumns = `
  sum(folder = 'new') AS new_count, sum(folder = 'saved') AS saved_count,
  sum(folder = 'new' AND urgent = 1) AS new_urgent, sum(folder = 'saved' AND urgent = 1) AS saved_urgent`

function toCounts(row: CountRow | undefined): MessageCounts {
  return {
    new: row?.new_count ?? 0,
    saved: row?.saved_count ?? 0,
    newUrgent: row?.new_urgent ?? 0,
    savedUrgent: row?.saved_urgent ?? 0,
  }
}

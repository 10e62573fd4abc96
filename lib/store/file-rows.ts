import type { Db } from './db.js'
import type { GreetingKind } from './types.js'

/** A message row's file facts, for reconcile. */
export interface MessageFileRow {
  rowId: number
  mailboxRowId: number
  file: string
  sizeBytes: number
  missing: boolean
}

/** A greeting row's file facts, for reconcile. */
export interface GreetingFileRow {
  mailboxRowId: number
  kind: GreetingKind
  file: string
  sizeBytes: number
}

/**
 * The few statements reconcile needs beyond the repositories: every file with its recorded size, and size
 * corrections (quota is the sum of these sizes, so correcting them is what "recompute quota usage" means).
 * Each method is one statement (no transaction); all reject with StoreError.
 */
export class FileRows {
  constructor(private readonly db: Db) {}

  /** Every message row (deleted ones included), by row id. */
  async messages(): Promise<MessageFileRow[]> {
    const rows = await this.db.all<{
      id: number
      mailbox_id: number
      file: string
      size_bytes: number
      missing: number
    }>('SELECT id, mailbox_id, file, size_bytes, missing FROM messages ORDER BY id')
    return rows.map((r) => ({
      rowId: r.id,
      mailboxRowId: r.mailbox_id,
      file: r.file,
      sizeBytes: r.size_bytes,
      missing: r.missing !== 0,
    }))
  }

  /** Every greeting row (the recorded name included), by box then kind. */
  async greetings(): Promise<GreetingFileRow[]> {
    const rows = await this.db.all<{
      mailbox_id: number
      kind: GreetingKind
      file: string
      size_bytes: number
    }>('SELECT mailbox_id, kind, file, size_bytes FROM greetings ORDER BY mailbox_id, kind')
    return rows.map((r) => ({
      mailboxRowId: r.mailbox_id,
      kind: r.kind,
      file: r.file,
      sizeBytes: r.size_bytes,
    }))
  }

  /** Correct a message's size (and duration when the header could be read). No row: nothing changes. */
  async setMessageSize(rowId: number, sizeBytes: number, durationMs?: number): Promise<void> {
    if (durationMs === undefined) {
      await this.db.run('UPDATE messages SET size_bytes = ? WHERE id = ?', [sizeBytes, rowId])
    } else {
      await this.db.run('UPDATE messages SET size_bytes = ?, duration_ms = ? WHERE id = ?', [
        sizeBytes,
        durationMs,
        rowId,
      ])
    }
  }

  /** Correct a greeting's size; only when it still points at `file` (the owner may have replaced it meanwhile). */
  async setGreetingSize(
    mailboxRowId: number,
    kind: GreetingKind,
    file: string,
    sizeBytes: number,
  ): Promise<void> {
    await this.db.run('UPDATE greetings SET size_bytes = ? WHERE mailbox_id = ? AND kind = ? AND file = ?', [
      sizeBytes,
      mailboxRowId,
      kind,
      file,
    ])
  }
}

import type { Db } from './db.js'

/** Why a file was removed, for the operator reading `deleted_files`. */
export type RemovalReason =
  'purged' | 'retention' | 'deleted-after-email' | 'deleted-by-operator' | 'mailbox-removed'

/** A recorded deletion whose file may still be on disk. */
export interface Tombstone {
  /** Relative to the state directory, as `messages.file` stores it. */
  file: string
  mailboxRowId?: number
  reason: RemovalReason
  deletedAt: number
}

/** How long a tombstone outlives its unlinked file (see migration 2): longer than any one reconcile run. */
export const TOMBSTONE_KEEP_MS = 24 * 60 * 60 * 1000

/**
 * Deletions recorded before their files are unlinked (SPEC §8 "one message lifecycle"). `add` runs inside the
 * transaction that removes the rows, so after any crash either the row exists or its tombstone does: a file
 * without a row is never mistaken for a recording the daemon was killed in the middle of.
 */
export class TombstoneRepo {
  constructor(private readonly db: Db) {}

  /** Record `files` as deleted (inside the caller's transaction). A file recorded twice keeps its first entry. */
  async add(
    files: ReadonlyArray<{ file: string; mailboxRowId?: number }>,
    reason: RemovalReason,
    at: number,
  ): Promise<void> {
    for (const { file, mailboxRowId } of files) {
      await this.db.run(
        'INSERT OR IGNORE INTO deleted_files (file, mailbox_id, reason, deleted_at) VALUES (?, ?, ?, ?)',
        [file, mailboxRowId ?? null, reason, at],
      )
    }
  }

  /** Whether `file` belongs to a removed message or greeting (whether or not it is still on disk). */
  async has(file: string): Promise<boolean> {
    const row = await this.db.get<{ n: number }>('SELECT 1 AS n FROM deleted_files WHERE file = ?', [file])
    return row !== undefined
  }

  /** Every tombstoned file name, unlinked or not (reconcile's "never adopt" list). */
  async allFiles(): Promise<Set<string>> {
    const rows = await this.db.all<{ file: string }>('SELECT file FROM deleted_files')
    return new Set(rows.map((r) => r.file))
  }

  /** Deletions whose unlink has not been confirmed (a crash or an I/O error came between). */
  async pending(): Promise<Tombstone[]> {
    const rows = await this.db.all<{
      file: string
      mailbox_id: number | null
      reason: RemovalReason
      deleted_at: number
    }>(
      'SELECT file, mailbox_id, reason, deleted_at FROM deleted_files WHERE unlinked_at IS NULL ORDER BY file',
    )
    return rows.map((r) => ({
      file: r.file,
      reason: r.reason,
      deletedAt: r.deleted_at,
      ...(r.mailbox_id === null ? {} : { mailboxRowId: r.mailbox_id }),
    }))
  }

  /** The files are gone from disk. */
  async markUnlinked(files: readonly string[], at: number): Promise<void> {
    if (files.length === 0) return
    await this.db.transaction(async () => {
      for (const file of files) {
        await this.db.run('UPDATE deleted_files SET unlinked_at = ? WHERE file = ? AND unlinked_at IS NULL', [
          at,
          file,
        ])
      }
    })
  }

  /** Forget tombstones whose file was unlinked before `before`. Resolves to how many were dropped. */
  async prune(before: number): Promise<number> {
    const { changes } = await this.db.run('DELETE FROM deleted_files WHERE unlinked_at < ?', [before])
    return changes
  }
}

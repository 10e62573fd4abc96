import type { Db } from './db.js'

/**
 * Bytes a box uses: every message row until it is purged (a deleted-but-not-purged message still occupies disk)
 * plus its greetings and recorded name. Sizes are the ones recorded in the rows; reconcile corrects them.
 */
export async function bytesUsed(db: Db, mailboxRowId: number): Promise<number> {
  const row = await db.get<{ used: number | null }>(
    `SELECT (SELECT coalesce(sum(size_bytes), 0) FROM messages WHERE mailbox_id = ?)
          + (SELECT coalesce(sum(size_bytes), 0) FROM greetings WHERE mailbox_id = ?) AS used`,
    [mailboxRowId, mailboxRowId],
  )
  return row?.used ?? 0
}

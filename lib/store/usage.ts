import type { Db } from './db.js'
import type { Mailbox } from './types.js'

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

/** The box's quota: its own, else the configured default. */
export function quotaOf(box: Pick<Mailbox, 'quotaBytes'>, defaultQuotaBytes: number): number {
  return box.quotaBytes ?? defaultQuotaBytes
}

/** Usage as a percentage of the quota (may exceed 100; a zero quota counts as 100 % full). */
export function usagePercent(usedBytes: number, quotaBytes: number): number {
  if (quotaBytes <= 0) return 100
  return (usedBytes / quotaBytes) * 100
}

/** Usage figures of one box. */
export interface Usage {
  usedBytes: number
  quotaBytes: number
  percent: number
}

/** Resolves to the used bytes, the quota and the percentage of `box`. */
export async function usageOf(
  db: Db,
  box: Pick<Mailbox, 'rowId' | 'quotaBytes'>,
  defaultQuotaBytes: number,
): Promise<Usage> {
  const usedBytes = await bytesUsed(db, box.rowId)
  const quotaBytes = quotaOf(box, defaultQuotaBytes)
  return { usedBytes, quotaBytes, percent: usagePercent(usedBytes, quotaBytes) }
}

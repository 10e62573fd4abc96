import type { Logger } from '../log.js'
import { TOMBSTONE_KEEP_MS } from '../store/tombstones.js'
import { unlinkRemoved } from '../store/unlink-removed.js'
import type { JobContext } from './types.js'

/**
 * Reconcile's share of the message lifecycle (SPEC §8): finish the deletions a crash or an I/O error interrupted
 * (the row is gone, its tombstone says so, the file may still be there: unlink it now), and forget tombstones
 * whose file has been gone for a day. Resolves to the counts for the job summary.
 */
export async function finishDeletions(
  ctx: JobContext,
  now: number,
  log: Logger,
): Promise<{ deletionsFinished: number; deletionsFailed: number; tombstonesPruned: number }> {
  const pending = await ctx.store.tombstones.pending()
  const report = await unlinkRemoved(
    ctx.store,
    ctx.files,
    pending.map((t) => t.file),
    log,
  )
  if (pending.length > 0) {
    log.info({ files: report.removed, failed: report.failed }, 'interrupted deletions finished')
  }
  const tombstonesPruned = await ctx.store.tombstones.prune(now - TOMBSTONE_KEEP_MS)
  return { deletionsFinished: report.removed, deletionsFailed: report.failed, tombstonesPruned }
}

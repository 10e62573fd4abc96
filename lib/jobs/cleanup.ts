import type { RemovedMessages } from '../store/messages.js'
import { unlinkRemoved } from '../store/unlink-removed.js'
import { afterBoxesChanged } from './box-effects.js'
import type { Job, JobContext } from './types.js'

interface BoxCounts {
  purged: number
  expiredNew: number
  expiredSaved: number
}

/**
 * The cleanup job (SPEC §6): purge messages marked deleted, then apply retention (saved messages received more
 * than `retention.savedDays` days ago, new ones more than `retention.newDays` days ago; 0 = never; a message
 * exactly N days old is kept). The rows go and their files are tombstoned in one transaction, then the files are
 * unlinked (`unlinkRemoved`: a crash in between never brings a message back). Then every changed box gets its
 * full-box notice re-armed (when under 90 %) and its lamp refreshed, and one 'cleanup box' line is logged per box.
 * PIN failures too old to count towards a lockout are dropped.
 *
 * Retention is measured by the store's clock, which the daemon and voicemailctl build from the same clock as the
 * scheduler's `now`.
 */
export function cleanupJob(ctx: JobContext): Job {
  return async (now) => {
    const { config, log } = ctx.deps
    const purged = await ctx.store.messages.purgeAllDeleted()
    const expired = await ctx.store.messages.deleteByRetention(config.retention)
    const unlinked = await unlinkRemoved(ctx.store, ctx.files, [...purged.files, ...expired.files], log)
    const failuresPruned = await ctx.store.loginFailures.prune(
      now - config.security.failureWindowMinutes * 60_000,
    )

    const perBox = new Map<number, BoxCounts>()
    const entry = (rowId: number): BoxCounts => {
      let counts = perBox.get(rowId)
      if (counts === undefined) perBox.set(rowId, (counts = { purged: 0, expiredNew: 0, expiredSaved: 0 }))
      return counts
    }
    for (const [rowId, c] of purged.perBox) entry(rowId).purged += c.new + c.saved
    for (const [rowId, c] of expired.perBox) {
      entry(rowId).expiredNew += c.new
      entry(rowId).expiredSaved += c.saved
    }
    for (const [rowId, counts] of perBox) {
      const box = await ctx.store.mailboxes.findByRowId(rowId)
      log.info({ mailbox: box?.id, domain: box?.domain, ...counts }, 'cleanup box')
    }
    const followUpErrors = await afterBoxesChanged(ctx, perBox.keys(), 'PURGE', log)

    return {
      boxes: perBox.size,
      purged: total(purged),
      expiredNew: sum(expired, 'new'),
      expiredSaved: sum(expired, 'saved'),
      filesRemoved: unlinked.removed,
      fileErrors: unlinked.failed,
      failuresPruned,
      followUpErrors,
    }
  }
}

function total(removed: RemovedMessages): number {
  return sum(removed, 'new') + sum(removed, 'saved')
}

function sum(removed: RemovedMessages, folder: 'new' | 'saved'): number {
  let n = 0
  for (const counts of removed.perBox.values()) n += counts[folder]
  return n
}

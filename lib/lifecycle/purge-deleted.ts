import type { Config } from '../config/types.js'
import type { MwiRequests } from '../contracts/lamps.js'
import type { Logger } from '../log.js'
import { rearmFullNotice } from '../quota/box-quota.js'
import type { AudioFiles } from '../store/audio-files.js'
import type { Store } from '../store/index.js'
import type { RemovalReason } from '../store/tombstones.js'
import type { Mailbox } from '../store/types.js'
import { unlinkRemoved } from '../store/unlink-removed.js'
import { refreshLamp } from './lamps.js'

interface PurgeDeps {
  store: Store
  files: AudioFiles
  config: Pick<Config, 'defaultQuotaBytes'>
}

/**
 * Purge the messages of `box` marked deleted: rows removed and files tombstoned in one transaction, then the files
 * unlinked (`unlinkRemoved`: a crash in between never brings a message back) and the full-box notice re-armed when
 * usage fell under 90 %. Resolves to how many were purged and how many files could not be unlinked now (reconcile
 * finishes those). Rejects with StoreError when the database fails; nothing was purged then.
 */
export async function purgeDeletedMessages(
  box: Mailbox,
  deps: PurgeDeps,
  log: Logger,
  reason?: RemovalReason,
): Promise<{ purged: number; unlinkFailed: number }> {
  const files = await deps.store.messages.purgeDeleted(box.rowId, reason)
  if (files.length === 0) return { purged: 0, unlinkFailed: 0 }
  const unlinked = await unlinkRemoved(deps.store, deps.files, files, log)
  await rearmFullNotice(box, deps)
  return { purged: files.length, unlinkFailed: unlinked.failed }
}

/**
 * The end of an owner's session (SPEC §4.5: deleted messages are "purged when the owner hangs up"; the voicemail
 * page does the same at logout): purge, then the lamp. Runs after a hangup too: it touches only the store and the
 * disk. Never throws (a failure leaves the rows for the cleanup job, or the tombstones for reconcile).
 */
export async function purgeAtSessionEnd(
  box: Mailbox,
  deps: PurgeDeps & { mwi: MwiRequests },
  log: Logger,
): Promise<void> {
  try {
    const { purged } = await purgeDeletedMessages(box, deps, log)
    if (purged === 0) return
    log.info({ purged }, 'deleted messages purged at hang-up')
    await refreshLamp(deps, box, 'PURGE', log)
  } catch (err) {
    log.error({ err }, 'purge at hang-up failed; the cleanup job will purge')
  }
}

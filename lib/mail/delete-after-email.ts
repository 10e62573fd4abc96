import type { MwiRequests } from '../contracts/lamps.js'
import type { Logger } from '../log.js'
import type { AudioFiles } from '../store/audio-files.js'
import type { Store } from '../store/index.js'
import type { OutboxRepo } from '../store/outbox.js'
import { unlinkRemoved } from '../store/unlink-removed.js'

export interface DeleteAfterEmailDeps {
  outbox: OutboxRepo
  store: Store
  files: AudioFiles
  log: Logger
  mwi?: MwiRequests
}

/**
 * "Keep message after email = no" (SPEC §5): once every recipient's new-message mail for this message has been
 * accepted, delete the message (row removed and file tombstoned in one transaction, then the file unlinked).
 * Resolves true when it deleted it.
 *
 * It is kept instead when any recipient's mail is still pending or failed (the message is then the only copy),
 * when the box now keeps messages (the setting is read at this moment, not when the mail was queued), and when
 * the owner has already dealt with it (saved or marked deleted): a message the owner chose to keep stays.
 */
export async function deleteMessageAfterEmail(
  messageRowId: number,
  deps: DeleteAfterEmailDeps,
): Promise<boolean> {
  const { store, log } = deps
  if ((await deps.outbox.unsentForMessage(messageRowId, 'new-message')) > 0) return false
  const message = await store.messages.getByRowId(messageRowId)
  if (message === undefined) return false
  const box = await store.mailboxes.findByRowId(message.mailboxRowId)
  if (box === undefined || box.keepAfterEmail) return false
  if (message.folder !== 'new' || message.deleted) {
    log.info({ mailbox: box.id, messageUuid: message.uuid }, 'owner handled the message: kept after email')
    return false
  }
  // Not purgeDeleted: that would also take messages the owner marked deleted in a session still running. The
  // deletion is recorded (tombstone) with the row's removal, so a crash before the unlink never has reconcile
  // adopt and mail the file again.
  const file = await store.messages.removeIfUntouched(messageRowId)
  if (file === undefined) return false
  await unlinkRemoved(store, deps.files, [file], log)
  log.info({ mailbox: box.id, messageUuid: message.uuid }, 'message deleted after email')
  await store.audit
    .append({
      mailboxRowId: box.rowId,
      actor: 'mail',
      action: 'message.deleted-after-email',
      detail: { messageUuid: message.uuid },
    })
    .catch((err: unknown) => log.warn({ err }, 'audit append failed'))
  await deps.mwi?.refresh(box, 'DELETE').catch((err: unknown) => log.warn({ err }, 'lamp refresh failed'))
  return true
}

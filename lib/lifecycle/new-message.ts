import type { MailboxEvents } from '../contracts/events.js'
import type { MailRequests } from '../contracts/mail.js'
import type { Store } from '../store/index.js'
import type { NewMessage } from '../store/messages.js'
import type { Mailbox, Message } from '../store/types.js'

/** Who left a message, as FreeSWITCH gave it (empty when unknown: an adopted file without a recording note). */
export interface CallerData {
  callerIdName: string
  callerIdNumber: string
}

/**
 * The one way a new message enters the store (a deposit, a forwarded copy, a recording reconcile adopts): the row
 * and its new-message mails in one transaction (SPEC §8 "one message lifecycle"), so a mail is never lost because
 * queueing failed after the row, and a failed commit leaves neither. The worker is kicked once it committed.
 * Rejects with the store's error (StoreConflictError for a duplicate, a deleted file or an unknown box) or the
 * mail layer's; then nothing was written. Without `mail` (a tool with no mail side) only the row is written.
 * `kickMail: false`: the caller kicks the worker itself (a deposit lights the lamp first).
 */
export async function storeNewMessage(
  box: Mailbox,
  row: NewMessage,
  deps: { store: Store; mail?: MailRequests | undefined; events?: MailboxEvents | undefined },
  options: { kickMail?: boolean } = {},
): Promise<Message> {
  const { store, mail } = deps
  // Grouped: messages committed in the same moment (a burst of calls) share one transaction (Db).
  const message = await store.db.groupedTransaction(async () => {
    const inserted = await store.messages.insert(row)
    // Side by side (one transaction either way): the mails, and the recording is a message now, no longer one
    // the watch may have to adopt.
    await Promise.all([mail?.queueNewMessage(box, inserted), store.recordingJournal.finish(row.file)])
    return inserted
  })
  if (options.kickMail !== false) mail?.kick()
  deps.events?.messageStored(box, message)
  return message
}

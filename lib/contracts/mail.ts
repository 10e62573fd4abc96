import type { Access, Mailbox, Message } from '../store/types.js'

/**
 * What the rest of the daemon asks of mail delivery; `MailNotifier` implements it. Enqueueing only: the outbox
 * worker delivers.
 */
export interface MailRequests {
  /**
   * Queue the new-message mails of `message` (one outbox row per recipient) and nothing else: no kick, and every
   * failure rejects. Called inside the transaction that inserts the message row (`storeNewMessage`), so a message
   * is stored with its mails or not at all (SPEC §8 "one message lifecycle").
   */
  queueNewMessage(box: Mailbox, message: Message): Promise<void>
  /** Ask the worker to send what is queued (after the transaction above committed). */
  kick(): void
  mailboxFull(box: Mailbox, usage: { usedBytes: number; quotaBytes: number }): Promise<void>
  /** The box's `access` was locked after too many wrong PINs until `lockedUntil` (epoch ms). */
  lockout(box: Mailbox, lockedUntil: number, access: Access): Promise<void>
  emailMessage(box: Mailbox, message: Message): Promise<void>
}

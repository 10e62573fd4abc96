import type { Mailbox, Message } from '../store/types.js'

/**
 * Facts about boxes, reported where they happen (call flows, the voicemail page, jobs), for the operators'
 * metrics. Optional everywhere: nothing depends on anyone listening, and an implementation must not throw or
 * block (it counts, nothing more).
 */
export interface MailboxEvents {
  /** A new message row was committed (a deposit, a forwarded copy, a recording reconcile adopted). */
  messageStored(box: Mailbox, message: Message): void
  /** A caller heard "mailbox full" and could leave no message. */
  callerToldFull(box: Mailbox): void
  /** Wrong PINs locked the box. */
  boxLocked(box: Mailbox): void
}

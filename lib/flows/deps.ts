import type { Clock } from '../clock.js'
import type { Config } from '../config/types.js'
import type { Logger } from '../log.js'
import type { AudioFiles } from '../store/audio-files.js'
import type { Store } from '../store/index.js'
import type { Access, Mailbox, Message } from '../store/types.js'
import type { Prompts } from './prompts.js'

/** What flows ask of mail delivery; `MailNotifier` implements it. Enqueueing only: the outbox worker delivers. */
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

/** Why a lamp is being refreshed (mod_voicemail's `Update-Reason` names). */
export type MwiReason = 'NEW' | 'SAVE' | 'DELETE' | 'PURGE' | 'READ' | 'UNKNOWN'

/** What flows ask of the lamps; `MwiService` implements it. Never throws into a call. */
export interface MwiRequests {
  refresh(box: Mailbox, reason: MwiReason): Promise<void>
}

/** FreeSWITCH's user directory, for auto-provisioning (`user_exists id <user> <domain>`). */
export interface Directory {
  userExists(user: string, domain: string): Promise<boolean>
}

/**
 * Facts the flows report as they happen, for the operators' metrics. Optional: flows never depend on anyone
 * listening, and an implementation must not throw or block (it counts, nothing more).
 */
export interface FlowEvents {
  /** A new message row was committed (a deposit, a forwarded copy, a recording reconcile adopted). */
  messageStored(box: Mailbox, message: Message): void
  /** A caller heard "mailbox full" and could leave no message. */
  callerToldFull(box: Mailbox): void
  /** Wrong PINs locked the box. */
  boxLocked(box: Mailbox): void
}

/** Everything a call flow uses, passed in: flows hold no ESL strings, no SQL, no singletons. */
export interface FlowDeps {
  config: Config
  store: Store
  files: AudioFiles
  mail: MailRequests
  mwi: MwiRequests
  directory: Directory
  prompts: Prompts
  clock: Clock
  log: Logger
  events?: FlowEvents
}

import type { DomainMode, MailboxKind } from '../config/types.js'

/** Which recorded greeting a box plays to callers when the dialplan asks for no specific one. */
export type GreetingKind = 'unavailable' | 'busy' | 'temporary' | 'name'
export type Folder = 'new' | 'saved'

export interface Domain {
  name: string
  mode: DomainMode
  unifiedMailbox?: string
  operator?: string
  autoProvision: boolean
  timezone: string
}

export interface Mailbox {
  /** Internal row id; never shown to users. */
  rowId: number
  domain: string
  /** The box number callers and owners dial (2–10 digits). */
  id: string
  kind: MailboxKind
  name: string
  /** scrypt hash, or undefined when no PIN is set (first login forces one). */
  pinHash?: string
  pinTemporary: boolean
  email: string[]
  attachAudio: boolean
  keepAfterEmail: boolean
  notifyFull: boolean
  mwiAccounts: string[]
  /** undefined = the configured default quota. */
  quotaBytes?: number
  /** undefined = the domain's timezone. */
  timezone?: string
  activeGreeting: GreetingKind
  enabled: boolean
  /** A "mailbox full" notice was sent for the current full episode (re-armed under 90 %). */
  fullNotified: boolean
  /** Epoch ms until which PIN entry is refused, if locked. */
  lockedUntil?: number
  createdAt: number
  updatedAt: number
}

export interface Message {
  rowId: number
  /** Also the file name: `<uuid>.wav`. */
  uuid: string
  mailboxRowId: number
  folder: Folder
  deleted: boolean
  urgent: boolean
  callerIdName: string
  callerIdNumber: string
  receivedAt: number
  savedAt?: number
  /** First time the owner listened to it (a heard message stays new until saved: key 3 "next"). */
  heardAt?: number
  durationMs: number
  sizeBytes: number
  /** Relative to the state directory. */
  file: string
  missing: boolean
  /** `box@domain` it was forwarded from, if any. */
  forwardedFrom?: string
}

export interface Greeting {
  mailboxRowId: number
  kind: GreetingKind
  file: string
  sizeBytes: number
  durationMs: number
  createdAt: number
}

/** Counts as MWI and the owner's announcement use them (deleted-but-not-purged messages excluded). */
export interface MessageCounts {
  new: number
  saved: number
  newUrgent: number
  savedUrgent: number
}

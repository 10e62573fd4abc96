import type { DomainMode, MailboxKind } from '../config/types.js'

/** Which recorded greeting a box plays to callers when the dialplan asks for no specific one. */
export type GreetingKind = 'unavailable' | 'busy' | 'temporary' | 'name'
export type Folder = 'new' | 'saved'

/**
 * Who is typing a PIN (SPEC §4 owner 1): `owner` = the box's own authenticated phone (FreeSWITCH's `user_name` is
 * the box, in its domain); `remote` = anyone else (5000, `*` from a greeting, `login`, the web page). Failures
 * and locks are kept per kind, so nobody outside can lock the owner's phone out.
 */
export type Access = 'owner' | 'remote'

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
  /**
   * Epoch ms until which **remote** PIN entry is refused (5000, `*` from a greeting, `login`, the web page): set
   * by failures from anyone but the box's own phone, so it never locks the owner's phone out.
   */
  lockedUntil?: number
  /** Epoch ms until which PIN entry from the box's own authenticated phone is refused (its own failures). */
  ownerLockedUntil?: number
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

import type { Clock } from '../clock.js'
import type { SecurityConfig } from '../config/types.js'
import { AuditRepo } from './audit.js'
import { Db } from './db.js'
import { DomainRepo } from './domains.js'
import { FileRows } from './file-rows.js'
import { GreetingRepo } from './greetings.js'
import { LearnedAccountRepo } from './learned-accounts.js'
import { LockoutPolicy, LoginFailureRepo } from './login-failures.js'
import { MailboxRepo } from './mailboxes.js'
import { MessageRepo } from './messages.js'
import { QuotaReservations, type Reservation } from './quota-reservations.js'
import { RecordingJournal } from './recordings-in-progress.js'
import { TombstoneRepo } from './tombstones.js'
import { bytesUsed, quotaOf, usageOf, type Usage } from './usage.js'
import type { Mailbox } from './types.js'

/**
 * Every repository over one `Db`, so the daemon and voicemailctl create one thing. Reservations live here too:
 * they are per process, like the connection.
 */
export class Store {
  readonly domains: DomainRepo
  readonly mailboxes: MailboxRepo
  readonly messages: MessageRepo
  readonly greetings: GreetingRepo
  readonly loginFailures: LoginFailureRepo
  readonly audit: AuditRepo
  /** Deletions recorded before their files are unlinked (`unlinkRemoved`, reconcile). */
  readonly tombstones: TombstoneRepo
  /** MWI accounts phones asked about in unified domains (the lamps' memory across restarts). */
  readonly learnedAccounts: LearnedAccountRepo
  /** Reconcile's view of every message and greeting file with its recorded size. */
  readonly fileRows: FileRows
  /** Recordings being made, so one the daemon was killed in the middle of is adopted with its caller. */
  readonly recordings: RecordingJournal
  readonly reservations = new QuotaReservations()

  constructor(
    readonly db: Db,
    readonly clock: Clock,
  ) {
    this.tombstones = new TombstoneRepo(db)
    this.learnedAccounts = new LearnedAccountRepo(db)
    this.domains = new DomainRepo(db, clock)
    this.mailboxes = new MailboxRepo(db, clock, this.tombstones)
    this.messages = new MessageRepo(db, clock, this.tombstones)
    this.greetings = new GreetingRepo(db, clock)
    this.loginFailures = new LoginFailureRepo(db)
    this.audit = new AuditRepo(db, clock)
    this.fileRows = new FileRows(db)
    this.recordings = new RecordingJournal(db)
  }

  /** The lockout rule over this store with `security` from the (current) config. */
  lockout(security: SecurityConfig): LockoutPolicy {
    return new LockoutPolicy(this.db, this.loginFailures, this.mailboxes, this.audit, security, this.clock)
  }

  /** Bytes used by a box (messages until purged + greetings + name). */
  bytesUsed(mailboxRowId: number): Promise<number> {
    return bytesUsed(this.db, mailboxRowId)
  }

  /** Used bytes, quota (the box's or `defaultQuotaBytes`) and percentage. */
  usage(box: Pick<Mailbox, 'rowId' | 'quotaBytes'>, defaultQuotaBytes: number): Promise<Usage> {
    return usageOf(this.db, box, defaultQuotaBytes)
  }

  /** `quota - used - reserved` for a box right now, never below 0. */
  async remainingBytes(
    box: Pick<Mailbox, 'rowId' | 'quotaBytes'>,
    defaultQuotaBytes: number,
  ): Promise<number> {
    const used = await this.bytesUsed(box.rowId)
    return Math.max(0, quotaOf(box, defaultQuotaBytes) - used - this.reservations.reserved(box.rowId))
  }

  /**
   * Claim up to `maxBytes` of the box's remaining quota for a recording about to start. Resolves to the claim
   * (`bytes` may be 0: the box is full); release it once the message row is written or the recording discarded.
   */
  reserveRecording(
    box: Pick<Mailbox, 'rowId' | 'quotaBytes'>,
    defaultQuotaBytes: number,
    maxBytes: number,
  ): Promise<Reservation> {
    return this.reservations.reserveWithin(
      box.rowId,
      quotaOf(box, defaultQuotaBytes),
      () => this.bytesUsed(box.rowId),
      maxBytes,
    )
  }

  /** Close the database (waits for queued statements). */
  close(): Promise<void> {
    return this.db.close()
  }
}

/** Open (creating and migrating if needed) the database at `path`. Rejects with StoreError. */
export async function openStore(
  path: string,
  clock: Clock,
  options: { busyTimeoutMs?: number } = {},
): Promise<Store> {
  return new Store(await Db.open(path, options), clock)
}

export type { GreetingFileRow, MessageFileRow } from './file-rows.js'
export type { Reservation } from './quota-reservations.js'
export type { Usage } from './usage.js'

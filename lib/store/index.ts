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
import { RecordingsInFlight, type RecordingsInFlightOptions } from './recordings-in-flight.js'
import { RecordingJournal } from './recordings-in-progress.js'
import { TombstoneRepo } from './tombstones.js'
import { bytesUsed } from './usage.js'

/**
 * Every repository over one `Db`, so the daemon and voicemailctl create one thing. The recordings in flight live
 * here too: they are per process, like the connection.
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
  /** Callers recording into each box right now (quota admission, caps and the watch). */
  readonly recordings: RecordingsInFlight
  /** Recordings being made, noted so one the daemon was killed in the middle of is adopted with its caller. */
  readonly recordingJournal: RecordingJournal
  /**
   * What the lamps read (boxes, domains, counts), over the second, read-only connection when the store has one:
   * see `openStore`'s `lampReader`. Its `learnedAccounts` writes, so it stays on the main connection.
   */
  readonly lampReads: Pick<Store, 'mailboxes' | 'domains' | 'messages' | 'learnedAccounts' | 'clock'>
  private readonly reader: Db | undefined

  constructor(
    readonly db: Db,
    readonly clock: Clock,
    options: { recordings?: RecordingsInFlightOptions; lampReader?: Db } = {},
  ) {
    this.tombstones = new TombstoneRepo(db)
    this.learnedAccounts = new LearnedAccountRepo(db)
    this.recordings = new RecordingsInFlight(clock, options.recordings)
    this.domains = new DomainRepo(db, clock)
    this.mailboxes = new MailboxRepo(db, clock, this.tombstones)
    this.messages = new MessageRepo(db, clock, this.tombstones)
    this.greetings = new GreetingRepo(db, clock)
    this.loginFailures = new LoginFailureRepo(db)
    this.audit = new AuditRepo(db, clock)
    this.fileRows = new FileRows(db)
    this.recordingJournal = new RecordingJournal(db)
    this.reader = options.lampReader
    this.lampReads =
      this.reader === undefined
        ? this
        : {
            mailboxes: new MailboxRepo(this.reader, clock),
            domains: new DomainRepo(this.reader, clock),
            messages: new MessageRepo(this.reader, clock),
            learnedAccounts: this.learnedAccounts,
            clock,
          }
  }

  /** The lockout rule over this store with `security` from the (current) config. */
  lockout(security: SecurityConfig): LockoutPolicy {
    return new LockoutPolicy(this.db, this.loginFailures, this.mailboxes, this.audit, security, this.clock)
  }

  /** Bytes used by a box (messages until purged + greetings + name). */
  bytesUsed(mailboxRowId: number): Promise<number> {
    return bytesUsed(this.db, mailboxRowId)
  }

  /** Resolves once the database answers a trivial query (health check); rejects with StoreError. */
  async ping(): Promise<void> {
    await this.db.get('SELECT 1 AS ok')
  }

  /** Close the database (waits for queued statements). */
  async close(): Promise<void> {
    await this.reader?.close().catch(() => undefined)
    return this.db.close()
  }
}

/** Open (creating and migrating if needed) the database at `path`. Rejects with StoreError. */
export async function openStore(
  path: string,
  clock: Clock,
  options: { busyTimeoutMs?: number; recordings?: RecordingsInFlightOptions; lampReader?: boolean } = {},
): Promise<Store> {
  const { recordings, lampReader, ...dbOptions } = options
  const db = await Db.open(path, dbOptions)
  // The daemon's lamps read over a second connection: WAL lets it read beside the writer, so a lamp does not wait
  // for the commits and mail of other calls queued on the main one (issue 12). It opens after the migrations, and
  // each of its reads sees every transaction committed before the read began (a lamp reads after its commit).
  let reader: Db | undefined
  if (lampReader === true && path !== ':memory:') {
    try {
      reader = await Db.openReadOnly(path, { ...dbOptions, sideBySide: true })
    } catch (err) {
      await db.close().catch(() => undefined)
      throw err
    }
  }
  return new Store(db, clock, {
    ...(recordings === undefined ? {} : { recordings }),
    ...(reader === undefined ? {} : { lampReader: reader }),
  })
}

export type { GreetingFileRow, MessageFileRow } from './file-rows.js'
export type { InFlightClaim } from './recordings-in-flight.js'

import type { Mailbox, MessageCounts } from '../store/types.js'
import type { Account } from './accounts.js'

/**
 * What MWI needs from the store, and nothing more. `storeDirectory()` (store-directory.ts) implements it over the
 * SQLite repositories; keeping it this narrow lets the lamp rule be tested on its own.
 */
export interface MwiDirectory {
  /** Every enabled box (announce-all and resync). */
  enabledBoxes(): Promise<Mailbox[]>
  /** The box `(domain, id)`, enabled or not, or undefined. `domain` is lower-cased. */
  findBox(domain: string, id: string): Promise<Mailbox | undefined>
  /** Boxes that list `account` in `mwiAccounts`; a superset is fine (the caller filters exactly). */
  boxesListing(account: Account): Promise<Mailbox[]>
  /** Every box of a domain (a unified box lights all of them). */
  domainBoxes(domain: string): Promise<Mailbox[]>
  /** The domain's unified box when the domain is in unified mode, else undefined. */
  unifiedBox(domain: string): Promise<Mailbox | undefined>
  /** The box's counts (deleted-but-not-purged messages excluded). */
  counts(box: Mailbox): Promise<MessageCounts>
  /** Counts of every box with at least one message, by row id (boxes left out have none). One query for resync. */
  allCounts(): Promise<Map<number, MessageCounts>>
  /** Accounts phones asked about in `domain` (lower-cased), remembered across restarts. */
  learnedAccounts(domain: string): Promise<Account[]>
  /** Remember an account a phone asked about; resolves true when it was new (false too when the cap is reached). */
  learnAccount(account: Account, cap: number): Promise<boolean>
}

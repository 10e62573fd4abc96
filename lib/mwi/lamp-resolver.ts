import { isBoxNumber } from '../mailbox-values.js'
import type { Mailbox, MessageCounts } from '../store/types.js'
import {
  type Account,
  accountKey,
  boxAccount,
  lightingBoxes,
  parseAccount,
  pushAccounts,
  sumCounts,
} from './accounts.js'
import type { MwiDirectory } from './directory.js'
import { noMessages } from './message-waiting.js'

/** What one account's lamp shows, and which boxes made it so (empty: no box lights it, the answer is "no"). */
export interface Lamp {
  account: Account
  counts: MessageCounts
  boxes: Mailbox[]
}

/**
 * Per-run memo (one refresh, one query, one announce): box counts, so an account lit by a shared box does not
 * count that box twice, and each domain's unified box, looked up once.
 */
export interface RunCache {
  counts: Map<number, Promise<MessageCounts>>
  unified: Map<string, Promise<Mailbox | undefined>>
  /** Boxes by account key; a refresh seeds it with the box itself, saving a lookup on the hot path. */
  boxes: Map<string, Promise<Mailbox | undefined>>
}

export function newRunCache(): RunCache {
  return { counts: new Map(), unified: new Map(), boxes: new Map() }
}

/** A refresh reaching more accounts than this reads one snapshot of the boxes instead of querying per account. */
const PER_ACCOUNT_LOOKUPS = 8

interface Snapshot {
  boxes: Mailbox[]
  byKey: Map<string, Mailbox>
  listing: Map<string, Mailbox[]>
}

/** Cap on remembered accounts per unified domain: phones come and go; this keeps a flood of junk queries bounded. */
const MAX_LEARNED_PER_DOMAIN = 10_000

/**
 * Applies the lamp rule of accounts.ts to the store: which accounts a box change reaches, and what each account's
 * lamp shows. Also remembers the accounts phones asked about in unified domains, because the unified box must
 * push to phones that have no box of their own (and to phones subscribed to the feature code, `5001@domain`).
 * Those memories are kept in the store (MwiDirectory.learnAccount), so they outlive a restart: sofia queries only
 * when a phone first registers, and the resync after a restart must still reach those phones. Directory
 * `mwi-account` (see docs/email-and-lamps.md, "Several phones on one box") needs none.
 */
export class LampResolver {
  constructor(private readonly directory: MwiDirectory) {}

  /** The lamp of one account. Rejects with the store's error if a lookup fails. */
  async lamp(account: Account, cache: RunCache = newRunCache()): Promise<Lamp> {
    // A user part that is not a box number (`*97`, `alice`) has no box of its own.
    const [own, listing, unified] = await Promise.all([
      isBoxNumber(account.user) ? this.boxOf(account, cache) : undefined,
      this.directory.boxesListing(account),
      this.unifiedOf(account.domain, cache),
    ])
    const candidates = {
      listing,
      ...(own === undefined ? {} : { own }),
      ...(unified === undefined ? {} : { unified }),
    }
    const boxes = lightingBoxes(account, candidates)
    const counts = await Promise.all(boxes.map((box) => this.countsOf(box, cache)))
    return { account, counts: sumCounts(counts), boxes }
  }

  /**
   * The accounts a change of `box` is pushed to: its own, its `mwiAccounts`, and for the unified box of a unified
   * domain every box number of that domain plus every account phones asked about there. `invalid` lists
   * unparseable `mwiAccounts` entries.
   */
  async targets(
    box: Mailbox,
    cache: RunCache = newRunCache(),
  ): Promise<{ accounts: Account[]; invalid: string[] }> {
    cache.boxes.set(accountKey(boxAccount(box)), Promise.resolve(box))
    const unified = await this.unifiedOf(box.domain, cache)
    if (unified?.rowId !== box.rowId) return pushAccounts(box)
    const members = (await this.directory.domainBoxes(box.domain)).map(boxAccount)
    return pushAccounts(box, [...members, ...(await this.learnedIn(box.domain))])
  }

  /**
   * The lamps of several accounts (one refresh). Up to a handful, each is looked up on its own (a few indexed
   * queries); beyond that (a unified box lighting a whole domain) one listing of the boxes and one counts query
   * serve them all. Same rule either way.
   */
  async lamps(accounts: readonly Account[], cache: RunCache = newRunCache()): Promise<Lamp[]> {
    if (accounts.length <= PER_ACCOUNT_LOOKUPS) return Promise.all(accounts.map((a) => this.lamp(a, cache)))
    const snap = await this.snapshot(cache)
    return Promise.all(accounts.map((a) => this.evaluate(a, snap, cache)))
  }

  /**
   * Every lamp worth announcing: the targets of every enabled box, each account once, computed from one listing
   * of the boxes (the same rule as `lamp()`, evaluated in memory). Resolves with the number of enabled boxes.
   */
  async everyLamp(cache: RunCache = newRunCache()): Promise<{ boxes: number; lamps: Lamp[] }> {
    const snap = await this.snapshot(cache)
    const targets = new Map<string, Account>()
    for (const box of snap.boxes) {
      const domain = box.domain.toLowerCase()
      const unified = await this.unifiedOf(domain, cache)
      const members =
        unified?.rowId === box.rowId
          ? [
              ...snap.boxes.filter((b) => b.domain.toLowerCase() === domain).map(boxAccount),
              ...(await this.learnedIn(domain)),
            ]
          : []
      for (const account of pushAccounts(box, members).accounts) targets.set(accountKey(account), account)
    }
    const lamps = await Promise.all([...targets.values()].map((a) => this.evaluate(a, snap, cache)))
    return { boxes: snap.boxes.length, lamps }
  }

  /** Every enabled box, indexed by own account and by listed account; counts of all boxes put in the cache. */
  private async snapshot(cache: RunCache): Promise<Snapshot> {
    const [boxes, allCounts] = await Promise.all([this.directory.enabledBoxes(), this.directory.allCounts()])
    const byKey = new Map<string, Mailbox>()
    const listing = new Map<string, Mailbox[]>()
    for (const box of boxes) {
      if (!cache.counts.has(box.rowId)) {
        cache.counts.set(box.rowId, Promise.resolve(allCounts.get(box.rowId) ?? { ...noMessages }))
      }
      byKey.set(accountKey(boxAccount(box)), box)
      for (const entry of box.mwiAccounts) {
        const parsed = parseAccount(entry)
        if (parsed === undefined) continue
        const key = accountKey(parsed)
        listing.set(key, [...(listing.get(key) ?? []), box])
      }
    }
    return { boxes, byKey, listing }
  }

  /** `lamp()` evaluated against a snapshot instead of per-account queries. */
  private async evaluate(account: Account, snap: Snapshot, cache: RunCache): Promise<Lamp> {
    const key = accountKey(account)
    const own = snap.byKey.get(key)
    const unified = await this.unifiedOf(account.domain, cache)
    const lit = lightingBoxes(account, {
      listing: snap.listing.get(key) ?? [],
      ...(own === undefined ? {} : { own }),
      ...(unified === undefined ? {} : { unified }),
    })
    const counts = await Promise.all(lit.map((box) => this.countsOf(box, cache)))
    return { account, counts: sumCounts(counts), boxes: lit }
  }

  /**
   * Remember an account a phone asked about, when its domain is unified (the unified box's pushes must reach it).
   * Resolves true when it was new.
   */
  async learn(account: Account, cache: RunCache = newRunCache()): Promise<boolean> {
    if ((await this.unifiedOf(account.domain, cache)) === undefined) return false
    return this.directory.learnAccount(account, MAX_LEARNED_PER_DOMAIN)
  }

  private learnedIn(domain: string): Promise<Account[]> {
    return this.directory.learnedAccounts(domain.toLowerCase())
  }

  private countsOf(box: Mailbox, cache: RunCache): Promise<MessageCounts> {
    let counts = cache.counts.get(box.rowId)
    if (counts === undefined) cache.counts.set(box.rowId, (counts = this.directory.counts(box)))
    return counts
  }

  private boxOf(account: Account, cache: RunCache): Promise<Mailbox | undefined> {
    const key = accountKey(account)
    let box = cache.boxes.get(key)
    if (box === undefined) cache.boxes.set(key, (box = this.directory.findBox(account.domain, account.user)))
    return box
  }

  private unifiedOf(domain: string, cache: RunCache): Promise<Mailbox | undefined> {
    const key = domain.toLowerCase()
    let unified = cache.unified.get(key)
    if (unified === undefined) cache.unified.set(key, (unified = this.directory.unifiedBox(key)))
    return unified
  }
}

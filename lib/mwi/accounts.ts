import type { Mailbox, MessageCounts } from '../store/types.js'

/**
 * MWI accounts (`user@domain`) and which boxes light them.
 *
 * The rule, used the same way for pushes and for query answers so a phone never flips between two answers:
 * **an account's lamp shows the sum of every box that lights it** —
 *   1. the box with the account's own number in its domain (`1000@pbx.test` → box 1000 of pbx.test), if any;
 *   2. every box that lists the account in its `mwiAccounts` (a shared box lighting its members' phones);
 *   3. in a **unified** domain, the domain's unified box (5001 opens it for everyone, so every phone's lamp follows
 *      it; this also covers phones that subscribe to the feature code itself, `5001@domain` or `*97@domain`).
 * Disabled boxes light nothing. An account no box lights is answered "no" with zero counts.
 *
 * Summing (what Asterisk calls `aggregate_mwi`) is needed because a registration has only one mwi-account: phone
 * 101 gets both box 101's event and shared box 800's event for `101@d`; if each carried only its own box's counts,
 * the last one would win and the lamp would flicker with the order of events.
 */

/** A parsed MWI account. `domain` is lower-cased (SIP hosts are case-insensitive); `user` is kept as sent. */
export interface Account {
  readonly user: string
  readonly domain: string
}

const HOST = /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/

/**
 * Parse `sip:1000@pbx.test`, `sips:1000@pbx.test`, `1000@pbx.test`, `<sip:1000@pbx.test;user=phone>` or with a
 * `:port`, like sofia's user/host split (ut.c:4106–4128: scheme and `;params` stripped). Resolves undefined for
 * anything without a user and a plain host name or IPv4 address.
 */
export function parseAccount(text: string): Account | undefined {
  let s = text.trim()
  if (s.startsWith('<') && s.endsWith('>')) s = s.slice(1, -1)
  s = s.replace(/^sips?:/i, '')
  s = s.split(/[;?>]/, 1)[0] ?? ''
  const at = s.lastIndexOf('@')
  if (at <= 0) return undefined
  const user = s.slice(0, at)
  const domain = s
    .slice(at + 1)
    .replace(/:\d+$/, '')
    .toLowerCase()
  if (/[\s@:<>"]/.test(user) || !HOST.test(domain)) return undefined
  return { user, domain }
}

/** The comparison key: `user@domain` (domain lower-cased). */
export function accountKey(account: Account): string {
  return `${account.user}@${account.domain}`
}

/** `sip:<user>@<domain>`, the form SPEC §5 asks for in `MWI-Message-Account`. */
export function sipUri(account: Account): string {
  return `sip:${account.user}@${account.domain}`
}

/** A box's own account: its number at its domain. */
export function boxAccount(box: Pick<Mailbox, 'id' | 'domain'>): Account {
  return { user: box.id, domain: box.domain.toLowerCase() }
}

/** True when `box` lists `account` in its extra MWI accounts (any spelling `parseAccount` accepts). */
export function listsAccount(box: Pick<Mailbox, 'mwiAccounts'>, account: Account): boolean {
  const key = accountKey(account)
  return box.mwiAccounts.some((entry) => {
    const parsed = parseAccount(entry)
    return parsed !== undefined && accountKey(parsed) === key
  })
}

/** The candidate boxes for one account, as fetched from the store. */
export interface LampCandidates {
  /** The box numbered like the account's user in the account's domain. */
  own?: Mailbox
  /** Boxes that list the account in `mwiAccounts` (callers may pass a superset: it is filtered here). */
  listing: readonly Mailbox[]
  /** The unified box, only when the account's domain is in unified mode. */
  unified?: Mailbox
}

/** The boxes whose messages light `account`, per the rule above: enabled only, each once, own box first. */
export function lightingBoxes(account: Account, candidates: LampCandidates): Mailbox[] {
  const boxes: Mailbox[] = []
  const add = (box: Mailbox | undefined): void => {
    if (box !== undefined && box.enabled && !boxes.some((b) => b.rowId === box.rowId)) boxes.push(box)
  }
  add(candidates.own)
  for (const box of candidates.listing) if (listsAccount(box, account)) add(box)
  add(candidates.unified)
  return boxes
}

/**
 * The accounts a change of `box` must be pushed to: its own account, each parseable entry of its `mwiAccounts`,
 * and `members` (for a unified box: the accounts of its domain's other boxes and of phones that asked), each once.
 * Unparseable `mwiAccounts` entries are returned in `invalid` so the caller can log them.
 */
export function pushAccounts(
  box: Pick<Mailbox, 'id' | 'domain' | 'mwiAccounts'>,
  members: readonly Account[] = [],
): { accounts: Account[]; invalid: string[] } {
  const accounts: Account[] = []
  const invalid: string[] = []
  const seen = new Set<string>()
  const add = (account: Account): void => {
    const key = accountKey(account)
    if (seen.has(key)) return
    seen.add(key)
    accounts.push(account)
  }
  add(boxAccount(box))
  for (const entry of box.mwiAccounts) {
    const parsed = parseAccount(entry)
    if (parsed === undefined) invalid.push(entry)
    else add(parsed)
  }
  for (const member of members) add(member)
  return { accounts, invalid }
}

/** Field-wise sum (an account lit by several boxes). */
export function sumCounts(all: readonly MessageCounts[]): MessageCounts {
  const sum = { new: 0, saved: 0, newUrgent: 0, savedUrgent: 0 }
  for (const c of all) {
    sum.new += c.new
    sum.saved += c.saved
    sum.newUrgent += c.newUrgent
    sum.savedUrgent += c.savedUrgent
  }
  return sum
}

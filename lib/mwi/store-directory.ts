import type { DomainRepo } from '../store/domains.js'
import type { LearnedAccountRepo } from '../store/learned-accounts.js'
import type { MailboxRepo } from '../store/mailboxes.js'
import type { MessageRepo } from '../store/messages.js'
import type { MwiDirectory } from './directory.js'

/** The repositories `storeDirectory` reads. */
export interface MwiStoreParts {
  mailboxes: MailboxRepo
  domains: DomainRepo
  messages: MessageRepo
  learnedAccounts: LearnedAccountRepo
  clock: { now(): number }
}

/**
 * MwiDirectory over the SQLite store. Every call reads the database (no cache), so a box changed by
 * `voicemailctl` in another process is seen by the very next event.
 */
export function storeDirectory(store: MwiStoreParts): MwiDirectory {
  const { mailboxes, domains, messages, learnedAccounts, clock } = store
  return {
    async enabledBoxes() {
      return (await mailboxes.list()).filter((box) => box.enabled)
    },
    findBox: (domain, id) => mailboxes.find(domain, id),
    // mwi_accounts may spell the account any way (`sip:` prefix, `;params`): the store narrows, the caller (the
    // lamp resolver) then compares exactly.
    boxesListing: (account) => mailboxes.listByMwiAccount(`${account.user}@${account.domain}`),
    domainBoxes: (domain) => mailboxes.list(domain),
    async unifiedBox(domain) {
      const settings = await domains.get(domain)
      if (settings?.mode !== 'unified' || settings.unifiedMailbox === undefined) return undefined
      return mailboxes.find(settings.name, settings.unifiedMailbox)
    },
    counts: (box) => messages.counts(box.rowId),
    allCounts: () => messages.countsByBox(),
    learnedAccounts: (domain) => learnedAccounts.list(domain),
    learnAccount: (account, cap) => learnedAccounts.add(account.domain, account.user, clock.now(), cap),
  }
}

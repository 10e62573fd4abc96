import type { Db } from '../store/db.js'
import type { DomainRepo } from '../store/domains.js'
import type { MailboxRepo } from '../store/mailboxes.js'
import type { MessageRepo } from '../store/messages.js'
import type { Mailbox } from '../store/types.js'
import type { MwiDirectory } from './directory.js'

/** The repositories `storeDirectory` reads. */
export interface MwiStoreParts {
  db: Db
  mailboxes: MailboxRepo
  domains: DomainRepo
  messages: MessageRepo
}

/**
 * MwiDirectory over the SQLite store. Every call reads the database (no cache), so a box changed by
 * `voicemailctl` in another process is seen by the very next event.
 */
export function storeDirectory(store: MwiStoreParts): MwiDirectory {
  const { db, mailboxes, domains, messages } = store
  return {
    async enabledBoxes() {
      return (await mailboxes.list()).filter((box) => box.enabled)
    },
    findBox: (domain, id) => mailboxes.find(domain, id),
    async boxesListing(account) {
      // mwi_accounts is a JSON array of strings; a LIKE on `user@domain` narrows the scan to the few boxes that
      // may list it (any spelling: `sip:` prefix, `;params`), and the caller then compares exactly.
      // SQLite's LIKE is case-insensitive for ASCII, like SIP host names.
      const pattern = `%${escapeLike(`${account.user}@${account.domain}`)}%`
      const rows = await db.all<{ id: number }>(
        "SELECT id FROM mailboxes WHERE enabled = 1 AND mwi_accounts LIKE ? ESCAPE '\\'",
        [pattern],
      )
      const boxes = await Promise.all(rows.map((row) => mailboxes.findByRowId(row.id)))
      return boxes.filter((box): box is Mailbox => box !== undefined)
    },
    domainBoxes: (domain) => mailboxes.list(domain),
    async unifiedBox(domain) {
      const settings = await domains.get(domain)
      if (settings?.mode !== 'unified' || settings.unifiedMailbox === undefined) return undefined
      return mailboxes.find(settings.name, settings.unifiedMailbox)
    },
    counts: (box) => messages.counts(box.rowId),
    allCounts: () => messages.countsByBox(),
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`)
}

import type { Store } from '../../store/index.js'
import type { TargetView } from './plan.js'

/** The planner's view of voicemaild's store. */
export function storeView(store: Store): TargetView {
  return {
    findBox: (domain, id) => store.mailboxes.find(domain, id),
    findMessage: (uuid) => store.messages.get(uuid),
    greeting: (rowId, kind) => store.greetings.get(rowId, kind),
    lastPinAction: async (rowId) => {
      // Every PIN change is audited (by phone, voicemailctl, the import): the latest one says who set it.
      const row = await store.db.get<{ action: string }>(
        `SELECT action FROM audit_log WHERE mailbox_id = ? AND action IN ('pin.changed', 'pin.reset', 'pin.imported')
         ORDER BY at DESC, id DESC LIMIT 1`,
        [rowId],
      )
      return row?.action
    },
  }
}

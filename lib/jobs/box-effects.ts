import type { UpdateReason } from '../contracts/lamps.js'
import type { Logger } from '../log.js'
import { rearmFullNotice } from '../quota/box-quota.js'
import type { Mailbox } from '../store/types.js'
import type { JobContext } from './types.js'

/**
 * After a job changed boxes: re-arm the "mailbox full" notice of those now under 90 % and refresh their lamps.
 * Never rejects: a failure is logged and counted, the next run or mwi-resync repairs it. Resolves to the number
 * of boxes whose follow-up failed.
 */
export async function afterBoxesChanged(
  ctx: JobContext,
  boxRowIds: Iterable<number>,
  reason: UpdateReason,
  log: Logger,
): Promise<number> {
  let failures = 0
  for (const rowId of boxRowIds) {
    let box: Mailbox | undefined
    try {
      box = await ctx.store.mailboxes.findByRowId(rowId)
      if (box === undefined) continue
      await rearmFullNotice(box, { store: ctx.store, config: ctx.deps.config })
    } catch (err) {
      failures++
      log.warn({ err, mailboxRowId: rowId }, 'full-box notice not re-armed')
    }
    if (box !== undefined) {
      await ctx.mwi.refresh(box, reason).catch((err: unknown) => {
        failures++
        log.warn({ err, mailbox: box.id, domain: box.domain }, 'lamp refresh failed')
      })
    }
  }
  return failures
}

import { randomUUID } from 'node:crypto'
import { copyFile } from 'node:fs/promises'
import { concatWavs } from '../audio/wav-concat.js'
import type { ServiceDeps } from '../contracts/service-deps.js'
import type { Logger } from '../log.js'
import { fitsIn } from '../quota/box-quota.js'
import type { Mailbox, Message } from '../store/types.js'
import { refreshLamp } from './lamps.js'
import { storeNewMessage } from './new-message.js'

export type CopyOutcome = { copied: true; copy: Message } | { copied: false; reason: 'full' }

/**
 * Forward `message` (of box `from`) to `target`: the target gets a new message of its own, a copy of the file
 * (with `intro` joined in front when given), `forwardedFrom` set and the caller data of the original, then its
 * own lamp and mail. The target's quota holds: a copy that does not fit is removed and `full` returned, nothing
 * written. The original stays as it is. On any failure the copy is removed and the error rethrown. The phone's
 * after-message `8` and the voicemail page's "forward" both come here.
 */
export async function copyMessage(
  message: Message,
  from: Pick<Mailbox, 'id' | 'domain'>,
  target: Mailbox,
  deps: ServiceDeps,
  log: Logger,
  intro?: string,
): Promise<CopyOutcome> {
  const { files } = deps
  const uuid = randomUUID()
  const dest = files.messagePath(target.domain, target.id, uuid)
  await files.prepare(dest)
  try {
    const source = files.fromStored(message.file)
    if (intro !== undefined) await concatWavs(intro, source, dest)
    else await copyFile(source, dest)
    const info = await files.commit(dest)
    if (!(await fitsIn(target, info.sizeBytes, deps))) {
      await files.remove(dest)
      return { copied: false, reason: 'full' }
    }
    // Row and its mails in one transaction, as for a deposit (SPEC §8 one message lifecycle).
    const copy = await storeNewMessage(
      target,
      {
        uuid,
        mailboxRowId: target.rowId,
        callerIdName: message.callerIdName,
        callerIdNumber: message.callerIdNumber,
        urgent: message.urgent,
        durationMs: info.durationMs,
        sizeBytes: info.sizeBytes,
        file: files.toStored(dest),
        forwardedFrom: `${from.id}@${from.domain}`,
      },
      deps,
    )
    log.info(
      { messageUuid: message.uuid, to: target.id, copyUuid: uuid, intro: intro !== undefined },
      'message forwarded',
    )
    await refreshLamp(deps, target, 'NEW', log)
    return { copied: true, copy }
  } catch (err) {
    await files.remove(dest)
    throw err
  }
}

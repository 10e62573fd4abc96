import { refreshLamp } from '../lifecycle/lamps.js'
import { storeNewMessage, type CallerData } from '../lifecycle/new-message.js'
import type { Logger } from '../log.js'
import type { Mailbox, Message } from '../store/types.js'
import type { FlowDeps } from './deps.js'
import type { Recording } from './record-message.js'

/**
 * Make a recording a message (SPEC §4 deposit 6): fsync the WAV and check it against its header, then write the
 * row together with its mails (`storeNewMessage`); only then light the lamp. If the file or the database fails,
 * nothing half-written remains: either the row exists with a durable file and its queued mails, or there is no row
 * (and reconcile adopts the file later, mailing it then).
 */
export async function commitMessage(
  box: Mailbox,
  recording: Recording,
  caller: CallerData,
  deps: FlowDeps,
  log: Logger,
): Promise<Message> {
  const info = await deps.files.commit(recording.path)
  const message = await storeNewMessage(
    box,
    {
      uuid: recording.uuid,
      mailboxRowId: box.rowId,
      callerIdName: caller.callerIdName,
      callerIdNumber: caller.callerIdNumber,
      urgent: recording.urgent,
      receivedAt: deps.clock.now(),
      durationMs: info.durationMs,
      sizeBytes: info.sizeBytes,
      file: deps.files.toStored(recording.path),
    },
    deps,
  )
  log.info(
    {
      messageUuid: message.uuid,
      durationMs: message.durationMs,
      sizeBytes: message.sizeBytes,
      urgent: message.urgent,
    },
    'message stored',
  )
  await refreshLamp(deps, box, 'NEW', log)
  return message
}

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
    { kickMail: false },
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
  // The lamp first, then the mail: the lamp's few store reads would otherwise queue behind the outbox's claim
  // and the mail's composition (issue 12). A lamp FreeSWITCH is slow to take holds the mail back no longer than
  // LAMP_HEAD_START_MS.
  const lamp = refreshLamp(deps, box, 'NEW', log)
  let timer: NodeJS.Timeout | undefined
  await Promise.race([lamp, new Promise((resolve) => (timer = setTimeout(resolve, LAMP_HEAD_START_MS)))])
  clearTimeout(timer)
  deps.mail?.kick()
  await lamp
  return message
}

/** How long the lamp of a new message may go first before its mail is sent anyway. */
const LAMP_HEAD_START_MS = 25

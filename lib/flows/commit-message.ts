import type { Logger } from '../log.js'
import type { Mailbox, Message } from '../store/types.js'
import type { FlowDeps } from './deps.js'
import type { Recording } from './record-message.js'

export interface CallerData {
  callerIdName: string
  callerIdNumber: string
}

/**
 * Make a recording a message (SPEC §4 deposit 6): fsync the WAV and check it against its header, then write the
 * row; only then ask for the lamp and the mail. If the file or the database fails, nothing half-written remains:
 * either the row exists with a durable file, or there is no row (and reconcile adopts the file later).
 */
export async function commitMessage(
  box: Mailbox,
  recording: Recording,
  caller: CallerData,
  deps: FlowDeps,
  log: Logger,
): Promise<Message> {
  const info = await deps.files.commit(recording.path)
  const message = await deps.store.messages.insert({
    uuid: recording.uuid,
    mailboxRowId: box.rowId,
    callerIdName: caller.callerIdName,
    callerIdNumber: caller.callerIdNumber,
    urgent: recording.urgent,
    receivedAt: deps.clock.now(),
    durationMs: info.durationMs,
    sizeBytes: info.sizeBytes,
    file: deps.files.toStored(recording.path),
  })
  log.info(
    {
      messageUuid: message.uuid,
      durationMs: message.durationMs,
      sizeBytes: message.sizeBytes,
      urgent: message.urgent,
    },
    'message stored',
  )
  await notifyNewMessage(box, message, deps, log)
  return message
}

/** Lamp and mail for a new message. Their failures are logged, never thrown: the message is safe already. */
export async function notifyNewMessage(
  box: Mailbox,
  message: Message,
  deps: FlowDeps,
  log: Logger,
): Promise<void> {
  deps.events?.messageStored(box, message)
  await Promise.all([
    deps.mwi.refresh(box, 'NEW').catch((err: unknown) => log.warn({ err }, 'lamp refresh failed')),
    deps.mail
      .newMessage(box, message)
      .catch((err: unknown) => log.error({ err }, 'mail could not be queued')),
  ])
}

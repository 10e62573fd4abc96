import type { Logger } from '../log.js'
import type { NewMessage } from '../store/messages.js'
import type { Store } from '../store/index.js'
import type { Mailbox, Message } from '../store/types.js'
import type { FlowDeps, FlowEvents, MailRequests } from './deps.js'
import type { Recording } from './record-message.js'

export interface CallerData {
  callerIdName: string
  callerIdNumber: string
}

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
  const lamp = refreshNewMessageLamp(box, deps, log)
  let timer: NodeJS.Timeout | undefined
  await Promise.race([lamp, new Promise((resolve) => (timer = setTimeout(resolve, LAMP_HEAD_START_MS)))])
  clearTimeout(timer)
  deps.mail?.kick()
  await lamp
  return message
}

/** How long the lamp of a new message may go first before its mail is sent anyway. */
const LAMP_HEAD_START_MS = 25

/**
 * The one way a new message enters the store (a deposit, a forwarded copy, a recording reconcile adopts): the row
 * and its new-message mails in one transaction (SPEC §8 "one message lifecycle"), so a mail is never lost because
 * queueing failed after the row, and a failed commit leaves neither. The worker is kicked once it committed.
 * Rejects with the store's error (StoreConflictError for a duplicate, a deleted file or an unknown box) or the
 * mail layer's; then nothing was written. Without `mail` (a tool with no mail side) only the row is written.
 * `kickMail: false`: the caller kicks the worker itself (a deposit lights the lamp first).
 */
export async function storeNewMessage(
  box: Mailbox,
  row: NewMessage,
  deps: { store: Store; mail?: MailRequests | undefined; events?: FlowEvents | undefined },
  options: { kickMail?: boolean } = {},
): Promise<Message> {
  const { store, mail } = deps
  const message = await store.db.transaction(async () => {
    const inserted = await store.messages.insert(row)
    await mail?.queueNewMessage(box, inserted)
    // The recording is a message now: no longer one the watch may have to adopt.
    await store.recordingJournal.finish(row.file)
    return inserted
  })
  if (options.kickMail !== false) mail?.kick()
  deps.events?.messageStored(box, message)
  return message
}

/** The lamp for a new message. Its failures are logged, never thrown: the message is safe already. */
export async function refreshNewMessageLamp(
  box: Mailbox,
  deps: Pick<FlowDeps, 'mwi'>,
  log: Logger,
): Promise<void> {
  await deps.mwi.refresh(box, 'NEW').catch((err: unknown) => log.warn({ err }, 'lamp refresh failed'))
}

import type { Call } from '../esl/call.js'
import type { Logger } from '../log.js'
import type { Mailbox } from '../store/types.js'
import type { FlowDeps } from './deps.js'

/**
 * Note a take just before FreeSWITCH records it (SPEC §8 "nothing lost"): if the daemon dies while FreeSWITCH
 * records on, the restarted daemon knows which channel to ask about and whose message it is. A failure is logged,
 * never thrown: the recording matters more than its note (without one the file is still adopted, only later, once
 * it has settled).
 */
export async function noteTake(
  call: Call,
  box: Mailbox,
  path: string,
  deps: Pick<FlowDeps, 'store' | 'files' | 'clock'>,
  log: Logger,
): Promise<void> {
  const { coreUuid } = call.info
  await deps.store.recordingJournal
    .begin({
      file: deps.files.toStored(path),
      mailboxRowId: box.rowId,
      callUuid: call.info.uuid,
      ...(coreUuid === undefined ? {} : { coreUuid }),
      callerIdName: call.info.callerIdName,
      callerIdNumber: call.info.callerIdNumber,
      startedAt: deps.clock.now(),
    })
    .catch((err: unknown) => log.warn({ err }, 'recording not noted: a crash now would lose its caller'))
}

/** A take thrown away (too short, re-recorded): its file goes, then its note. */
export async function discardTake(
  path: string,
  deps: Pick<FlowDeps, 'store' | 'files'>,
  log: Logger,
): Promise<void> {
  await deps.files.remove(path)
  await deps.store.recordingJournal
    .finish(deps.files.toStored(path))
    .catch((err: unknown) => log.warn({ err }, 'note of a discarded recording not removed'))
}

import type { Logger } from '../log.js'
import type { Reservation } from '../store/quota-reservations.js'
import { quotaOf } from '../store/usage.js'
import type { Mailbox } from '../store/types.js'
import type { FlowDeps } from './deps.js'
import { BYTES_PER_SECOND } from './record-message.js'

/** A full-box notice is re-armed once usage falls under this share of the quota. */
export const REARM_PERCENT = 90
const WAV_HEADER_BYTES = 44

export type QuotaVerdict = { full: true } | { full: false; capSeconds: number; reservation: Reservation }

/**
 * Decide how long this caller may record (SPEC §4 deposit 3), reserving the space so that concurrent callers
 * cannot overshoot. FreeSWITCH checks `record`'s limit in whole seconds and can overrun it by up to a second, so
 * the cap given to FreeSWITCH is one second less than the space reserved. A box with room for less than the
 * minimum message length is full: any recording would be discarded anyway.
 */
export async function reserveRecordingSpace(
  box: Mailbox,
  deps: FlowDeps,
  log: Logger,
): Promise<QuotaVerdict> {
  const { config } = deps
  const quotaBytes = quotaOf(box, config.defaultQuotaBytes)
  const maxSeconds = config.recording.maxMessageSeconds
  const reservation = await deps.store.reserveRecording(
    box,
    config.defaultQuotaBytes,
    (maxSeconds + 1) * BYTES_PER_SECOND + WAV_HEADER_BYTES,
  )
  const capSeconds = Math.min(
    maxSeconds,
    Math.floor((reservation.bytes - WAV_HEADER_BYTES) / BYTES_PER_SECOND) - 1,
  )
  if (capSeconds < config.recording.minMessageSeconds) {
    reservation.release()
    log.info({ quotaBytes }, 'mailbox full')
    return { full: true }
  }
  return { full: false, capSeconds, reservation }
}

/**
 * Queue the "mailbox full" mail once per full episode: the first caller who finds the box full claims the
 * episode (atomically, so two callers at once send one mail); the episode ends when usage drops under 90 %.
 */
export async function noticeFullBox(box: Mailbox, deps: FlowDeps, log: Logger): Promise<void> {
  if (!box.notifyFull) return
  if (!(await deps.store.mailboxes.claimFullNotice(box.rowId))) return
  const usedBytes = await deps.store.bytesUsed(box.rowId)
  await deps.mail
    .mailboxFull(box, { usedBytes, quotaBytes: quotaOf(box, deps.config.defaultQuotaBytes) })
    .catch((err: unknown) => log.error({ err }, 'mailbox-full mail could not be queued'))
  log.info({}, 'mailbox full notice queued')
}

/** True when a full episode is over: a notice was sent and usage is now under 90 % of the quota. */
export function shouldRearm(
  box: Pick<Mailbox, 'fullNotified'>,
  usedBytes: number,
  quotaBytes: number,
): boolean {
  return box.fullNotified && usedBytes * 100 < REARM_PERCENT * quotaBytes
}

/** Re-arm the full-box notice of a box whose usage fell under 90 % (after deletes, cleanup, reconcile). */
export async function rearmFullNotice(box: Mailbox, deps: Pick<FlowDeps, 'store' | 'config'>): Promise<void> {
  if (!box.fullNotified) return
  const used = await deps.store.bytesUsed(box.rowId)
  if (shouldRearm(box, used, quotaOf(box, deps.config.defaultQuotaBytes))) {
    await deps.store.mailboxes.setFullNotified(box.rowId, false)
  }
}

import type { Logger } from '../log.js'
import {
  BYTES_PER_SECOND,
  type InFlightClaim,
  type InFlightSizes,
  WAV_HEADER_BYTES,
} from '../store/recordings-in-flight.js'
import { quotaOf } from '../store/usage.js'
import type { Mailbox } from '../store/types.js'
import type { FlowDeps } from './deps.js'

/** A full-box notice is re-armed once usage falls under this share of the quota. */
export const REARM_PERCENT = 90
/**
 * Margin above the minimum message that every admitted caller is guaranteed: we time a recording from the moment
 * we ask FreeSWITCH for it, and it starts writing a little later (tens of ms on a loaded 2-core box). Ending a
 * recording at `min + margin` by our clock still leaves at least `min` in the file.
 */
export const FLOOR_MARGIN_SECONDS = 0.5

/** The quota rule's sizes under the current config. */
export function inFlightSizes(config: FlowDeps['config']): InFlightSizes {
  const min = config.recording.minMessageSeconds
  return {
    minMessageBytes: WAV_HEADER_BYTES + min * BYTES_PER_SECOND,
    floorBytes: WAV_HEADER_BYTES + Math.ceil((min + FLOOR_MARGIN_SECONDS) * BYTES_PER_SECOND),
  }
}

/**
 * Let a caller record into `box`, or not (SPEC §4 deposit 3): undefined when the box's committed messages plus
 * the callers recording into it right now leave less than a minimum-length message. Release the claim once the
 * message row is written or the caller leaves.
 */
export async function admitCaller(
  box: Mailbox,
  deps: FlowDeps,
  log: Logger,
): Promise<InFlightClaim | undefined> {
  const quotaBytes = quotaOf(box, deps.config.defaultQuotaBytes)
  const claim = await deps.store.recordings.admit(
    box.rowId,
    quotaBytes,
    () => deps.store.bytesUsed(box.rowId),
    inFlightSizes(deps.config),
  )
  if (claim === undefined) log.info({ quotaBytes }, 'mailbox full')
  return claim
}

/**
 * The cap of the caller's next take: the room left for it now (quota − used − the other callers in flight), at
 * most `maxMessageSeconds`. FreeSWITCH checks the limit in whole seconds and may run up to a second over; the
 * watch (RecordingsInFlight) ends a recording that would take the box past its quota.
 */
export async function takeCapSeconds(claim: InFlightClaim, box: Mailbox, deps: FlowDeps): Promise<number> {
  const room = await deps.store.recordings.roomFor(claim, quotaOf(box, deps.config.defaultQuotaBytes), () =>
    deps.store.bytesUsed(box.rowId),
  )
  const fits = Math.floor((room - WAV_HEADER_BYTES) / BYTES_PER_SECOND)
  return Math.max(0, Math.min(deps.config.recording.maxMessageSeconds, fits))
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

import type { Config, RecordingConfig } from '../config/types.js'
import type { MailRequests } from '../contracts/mail.js'
import type { Logger } from '../log.js'
import type { InFlightClaim, Store } from '../store/index.js'
import type { Mailbox } from '../store/types.js'
import {
  fullness,
  inFlightSizes,
  quotaOf,
  shouldRearm,
  takeCapSeconds,
  usagePercent,
  type Fullness,
} from './rules.js'

/**
 * The quota rules (rules.ts) applied to a box in the store: its room left, its state as the owner and the page see
 * it, admitting a caller, the cap of a take, and the "mailbox full" notice's episode. The store and the mail
 * requests come in as arguments; this module imports only their types.
 */

/** What the quota operations read: the store and the (current) config. */
export interface QuotaDeps {
  store: Store
  config: Pick<Config, 'defaultQuotaBytes'> & {
    recording: Pick<RecordingConfig, 'minMessageSeconds' | 'maxMessageSeconds'>
  }
}

/** `quota − used − the recordings in flight` of `box` right now, never below 0. */
export async function roomLeft(box: Pick<Mailbox, 'rowId' | 'quotaBytes'>, deps: QuotaDeps): Promise<number> {
  return room(box, await deps.store.bytesUsed(box.rowId), deps)
}

/** Whether `bytes` more fit in `box` now (a forwarded copy: quota less what is used and what callers record). */
export async function fitsIn(
  box: Pick<Mailbox, 'rowId' | 'quotaBytes'>,
  bytes: number,
  deps: QuotaDeps,
): Promise<boolean> {
  return bytes <= (await roomLeft(box, deps))
}

function room(box: Pick<Mailbox, 'rowId' | 'quotaBytes'>, usedBytes: number, deps: QuotaDeps): number {
  const quota = quotaOf(box, deps.config.defaultQuotaBytes)
  return Math.max(0, quota - usedBytes - deps.store.recordings.bytes(box.rowId))
}

/** A box's quota as the owner hears it and the page and voicemailctl show it. */
export interface QuotaState {
  usedBytes: number
  quotaBytes: number
  percent: number
  /** `quota − used − recordings in flight`, never below 0. */
  roomBytes: number
  state: Fullness
}

/** Resolves to the usage, room and state (ok, almost full, full) of `box` right now. */
export async function quotaState(
  box: Pick<Mailbox, 'rowId' | 'quotaBytes'>,
  deps: QuotaDeps,
): Promise<QuotaState> {
  const usedBytes = await deps.store.bytesUsed(box.rowId)
  const quotaBytes = quotaOf(box, deps.config.defaultQuotaBytes)
  const roomBytes = room(box, usedBytes, deps)
  const usage = { usedBytes, quotaBytes }
  return {
    ...usage,
    percent: usagePercent(usedBytes, quotaBytes),
    roomBytes,
    state: fullness(usage, roomBytes, deps.config.recording.minMessageSeconds),
  }
}

/**
 * Let a caller record into `box`, or not (SPEC §4 deposit 3): undefined when the box's committed messages plus
 * the callers recording into it right now leave less than a minimum-length message. Release the claim once the
 * message row is written or the caller leaves.
 */
export async function admitCaller(
  box: Mailbox,
  deps: QuotaDeps,
  log: Logger,
): Promise<InFlightClaim | undefined> {
  const quotaBytes = quotaOf(box, deps.config.defaultQuotaBytes)
  const claim = await deps.store.recordings.admit(
    box.rowId,
    quotaBytes,
    () => deps.store.bytesUsed(box.rowId),
    inFlightSizes(deps.config.recording),
  )
  if (claim === undefined) log.info({ quotaBytes }, 'mailbox full')
  return claim
}

/**
 * The cap of the caller's next take: the room left for it now (quota − used − the other callers in flight), at
 * most `maxMessageSeconds` (rules.ts `takeCapSeconds`).
 */
export async function capForNextTake(claim: InFlightClaim, box: Mailbox, deps: QuotaDeps): Promise<number> {
  const room = await deps.store.recordings.roomFor(claim, quotaOf(box, deps.config.defaultQuotaBytes), () =>
    deps.store.bytesUsed(box.rowId),
  )
  return takeCapSeconds(room, deps.config.recording.maxMessageSeconds)
}

/**
 * Queue the "mailbox full" mail once per full episode: the first caller who finds the box full claims the
 * episode (atomically, so two callers at once send one mail); the episode ends when usage drops under 90 %.
 */
export async function noticeFullBox(
  box: Mailbox,
  deps: QuotaDeps & { mail: Pick<MailRequests, 'mailboxFull'> },
  log: Logger,
): Promise<void> {
  if (!box.notifyFull) return
  if (!(await deps.store.mailboxes.claimFullNotice(box.rowId))) return
  const usedBytes = await deps.store.bytesUsed(box.rowId)
  await deps.mail
    .mailboxFull(box, { usedBytes, quotaBytes: quotaOf(box, deps.config.defaultQuotaBytes) })
    .catch((err: unknown) => log.error({ err }, 'mailbox-full mail could not be queued'))
  log.info({}, 'mailbox full notice queued')
}

/**
 * Re-arm the full-box notice of a box whose usage fell under 90 % (after deletes, cleanup, reconcile, a removed
 * greeting), so the next full episode sends its mail again.
 */
export async function rearmFullNotice(
  box: Mailbox,
  deps: { store: Store; config: Pick<Config, 'defaultQuotaBytes'> },
): Promise<void> {
  if (!box.fullNotified) return
  const used = await deps.store.bytesUsed(box.rowId)
  if (shouldRearm(box, used, quotaOf(box, deps.config.defaultQuotaBytes))) {
    await deps.store.mailboxes.setFullNotified(box.rowId, false)
  }
}

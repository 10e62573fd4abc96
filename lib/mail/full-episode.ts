import type { Mailbox } from '../store/types.js'

/**
 * "Mailbox full" is mailed once per full episode (SPEC §5): the box's `fullNotified` flag is set when the notice
 * is queued and cleared ("re-armed") when usage drops under 90 %. The caller owns the flag; these say when to
 * flip it.
 */
export const REARM_FRACTION = 0.9

/** True when a notice is due now: the box wants notices, is full, and none was sent in this episode. */
export function shouldNotifyFull(
  box: Pick<Mailbox, 'notifyFull' | 'fullNotified'>,
  usage: { usedBytes: number; quotaBytes: number },
): boolean {
  return box.notifyFull && !box.fullNotified && usage.usedBytes >= usage.quotaBytes
}

/** True when the episode is over: a notice was sent and usage is now under 90 % of the quota. */
export function shouldRearm(
  box: Pick<Mailbox, 'fullNotified'>,
  usage: { usedBytes: number; quotaBytes: number },
): boolean {
  return box.fullNotified && usage.usedBytes < usage.quotaBytes * REARM_FRACTION
}

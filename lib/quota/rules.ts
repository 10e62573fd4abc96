import { wavBytesForMs, wholeSecondsIn } from './audio-format.js'

/**
 * The quota rules (SPEC §3, §4 deposit 3, §5), as pure functions of byte counts: what a box's quota is, when it is
 * full, when it is almost full, how long the next recording may be. The deposit flow, the owner's announcement,
 * the voicemail page, voicemailctl and the jobs all decide through these, so a box is "full" for all of them at
 * the same moment. `box-quota.ts` applies them to the store.
 */

/**
 * From this share of the quota a box is almost full: the owner is warned at login and the page shows it; under
 * it, a "mailbox full" notice already sent is re-armed (the full episode is over).
 */
export const ALMOST_FULL_PERCENT = 90

/**
 * Margin above the minimum message that every admitted caller is guaranteed: we time a recording from the moment
 * we ask FreeSWITCH for it, and it starts writing a little later (tens of ms on a loaded 2-core box). Ending a
 * recording at `min + margin` by our clock still leaves at least `min` in the file.
 */
export const FLOOR_MARGIN_SECONDS = 0.5

/** The box's quota: its own, else the configured default. */
export function quotaOf(box: { quotaBytes?: number | undefined }, defaultQuotaBytes: number): number {
  return box.quotaBytes ?? defaultQuotaBytes
}

/** Usage as a percentage of the quota (may exceed 100; a zero quota counts as 100 % full). */
export function usagePercent(usedBytes: number, quotaBytes: number): number {
  if (quotaBytes <= 0) return 100
  return (usedBytes / quotaBytes) * 100
}

/** The size of a minimum-length message (header included): a box with less room than this is full. */
export function minMessageBytes(minMessageSeconds: number): number {
  return wavBytesForMs(minMessageSeconds * 1000)
}

/**
 * Full: the room left (quota − used − what callers are recording right now) cannot hold a message of the minimum
 * length, so a caller arriving now hears "mailbox full". The one test behind the deposit's admission, the owner's
 * "your mailbox is full" and the page's banner.
 */
export function isFull(roomBytes: number, minMessageSeconds: number): boolean {
  return roomBytes < minMessageBytes(minMessageSeconds)
}

/** At least 90 % of the quota is used. */
export function isAlmostFull(usedBytes: number, quotaBytes: number): boolean {
  return usedBytes * 100 >= ALMOST_FULL_PERCENT * quotaBytes
}

/** What the owner is told about the room left (and the page shows): nothing, "almost full", or "full". */
export type Fullness = 'ok' | 'almost-full' | 'full'

/** `full` when a caller would be turned away now, else `almost-full` from 90 % of the quota. */
export function fullness(
  usage: { usedBytes: number; quotaBytes: number },
  roomBytes: number,
  minMessageSeconds: number,
): Fullness {
  if (isFull(roomBytes, minMessageSeconds)) return 'full'
  if (isAlmostFull(usage.usedBytes, usage.quotaBytes)) return 'almost-full'
  return 'ok'
}

/** True when a full episode is over: a notice was sent and usage is now under 90 % of the quota. */
export function shouldRearm(box: { fullNotified: boolean }, usedBytes: number, quotaBytes: number): boolean {
  return box.fullNotified && !isAlmostFull(usedBytes, quotaBytes)
}

/** Sizes the in-flight rule works with (from the recording config; passed in because SIGHUP may change them). */
export interface InFlightSizes {
  /** A minimum-length message, header included: a box with less room than this is full. */
  minMessageBytes: number
  /**
   * What an admitted caller counts for at least, until their take is known: a minimum-length message plus a
   * margin, so that a recording ended to keep the quota is still long enough to keep (FreeSWITCH starts writing
   * a little after we ask it to record, and we measure from the asking).
   */
  floorBytes: number
}

/** The in-flight rule's sizes under the current recording config. */
export function inFlightSizes(recording: { minMessageSeconds: number }): InFlightSizes {
  const min = recording.minMessageSeconds
  return {
    minMessageBytes: minMessageBytes(min),
    floorBytes: wavBytesForMs((min + FLOOR_MARGIN_SECONDS) * 1000),
  }
}

/**
 * The cap of a caller's next take: the whole seconds that fit in the room left for it, at most
 * `maxMessageSeconds`. FreeSWITCH checks the limit in whole seconds and may run up to a second over; the quota
 * watch (RecordingsInFlight) ends a recording that would take the box past its quota.
 */
export function takeCapSeconds(roomBytes: number, maxMessageSeconds: number): number {
  return Math.min(maxMessageSeconds, wholeSecondsIn(roomBytes))
}

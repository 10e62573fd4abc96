/**
 * Caller hangup → lamp NOTIFY at the box's phone. A NOTIFY says how many new messages the box has, not whose
 * message it announces, so the k-th message of a box is matched with the k-th caller hangup of that box: its
 * latency is the first NOTIFY showing at least k new messages minus the k-th hangup (a message is committed only
 * after its caller hung up, so a lamp showing k messages cannot come before the k-th hangup).
 */
import type { LampNotify } from '../../test/support/real-freeswitch/sip-phone.js'

/** `Voice-Message: 3/0 (0/0)` → 3. */
export function newCount(n: LampNotify): number {
  return Number.parseInt(n.voiceMessage.split('/')[0] ?? '', 10) || 0
}

/**
 * @param hangups wall-clock ms of the box's callers who recorded something, any order
 * @param notifies the box phone's NOTIFYs since the batch started, oldest first
 * @param gained messages the box gained in the batch
 * @param before new messages the box already had when the batch started (the one-call-at-a-time rounds reuse a box)
 */
export function lampLatencies(
  hangups: readonly number[],
  notifies: readonly LampNotify[],
  gained: number,
  before = 0,
): number[] {
  const sorted = [...hangups].sort((a, b) => a - b)
  const out: number[] = []
  for (let k = 1; k <= Math.min(gained, sorted.length); k++) {
    const lit = notifies.find((n) => n.waiting && newCount(n) >= before + k)
    const hangup = sorted[k - 1]
    if (lit !== undefined && hangup !== undefined) out.push(lit.at - hangup)
  }
  return out
}

/** The box's lamp shows the `gained` messages of the batch on top of the `before` it had. */
export function lampCaughtUp(notifies: readonly LampNotify[], gained: number, before = 0): boolean {
  return gained <= 0 || notifies.some((n) => n.waiting && newCount(n) >= before + gained)
}

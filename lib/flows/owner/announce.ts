import type { Usage } from '../../store/usage.js'
import { BYTES_PER_SECOND } from '../record-message.js'
import type { OwnerSession } from './session.js'

const WAV_HEADER_BYTES = 44
/** Share of the quota from which the owner is warned at login. */
export const WARN_PERCENT = 90

/**
 * After login (SPEC §4 owner 3): "You have N new messages, M urgent, K saved messages", then a warning when the
 * box is at least 90 % full, or full (no room left for a message of the minimum length: callers are being turned
 * away, the same test the deposit side uses).
 */
export async function announce(session: OwnerSession): Promise<void> {
  const { call, deps, box } = session
  const { prompts } = deps
  const counts = await deps.store.messages.counts(box.rowId)
  const number = (n: number): Promise<unknown> =>
    call.say({ type: 'number', method: 'pronounced', text: String(n) })
  const plural = (n: number): string => prompts.std(n === 1 ? 'message' : 'messages')

  await call.play(prompts.std('youHave'))
  await number(counts.new)
  await call.play([prompts.std('new'), plural(counts.new)])
  if (counts.newUrgent > 0) {
    await number(counts.newUrgent)
    await call.play(prompts.std('urgent'))
  }
  await number(counts.saved)
  await call.play([prompts.std('saved'), plural(counts.saved)])

  const usage = await deps.store.usage(box, deps.config.defaultQuotaBytes)
  const state = fullness(usage, deps.config.recording.minMessageSeconds)
  if (state === 'full') {
    session.log.info(
      { usedBytes: usage.usedBytes, quotaBytes: usage.quotaBytes },
      'owner told the box is full',
    )
    await call.play(prompts.own('mailboxFullOwner'))
  } else if (state === 'almost-full') {
    session.log.info(
      { usedBytes: usage.usedBytes, quotaBytes: usage.quotaBytes },
      'owner told the box is almost full',
    )
    await call.play(prompts.own('mailboxAlmostFull'))
  }
}

/** What the owner is told about the room left: nothing, "almost full", or "full". */
export type Fullness = 'ok' | 'almost-full' | 'full'

/**
 * The rule behind the owner's warning (and the voicemail page's banner): full when there is no room left for a
 * message of the minimum length (callers are being turned away, the same test the deposit side uses), almost
 * full from 90 % of the quota.
 */
export function fullness(
  usage: Pick<Usage, 'usedBytes' | 'quotaBytes'>,
  minMessageSeconds: number,
): Fullness {
  const roomSeconds =
    Math.floor((usage.quotaBytes - usage.usedBytes - WAV_HEADER_BYTES) / BYTES_PER_SECOND) - 1
  if (roomSeconds < minMessageSeconds) return 'full'
  if (usage.usedBytes * 100 >= WARN_PERCENT * usage.quotaBytes) return 'almost-full'
  return 'ok'
}

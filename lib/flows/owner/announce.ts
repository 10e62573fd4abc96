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
  const roomSeconds =
    Math.floor((usage.quotaBytes - usage.usedBytes - WAV_HEADER_BYTES) / BYTES_PER_SECOND) - 1
  if (roomSeconds < deps.config.recording.minMessageSeconds) {
    session.log.info(
      { usedBytes: usage.usedBytes, quotaBytes: usage.quotaBytes },
      'owner told the box is full',
    )
    await call.play(prompts.own('mailboxFullOwner'))
  } else if (usage.usedBytes * 100 >= WARN_PERCENT * usage.quotaBytes) {
    session.log.info(
      { usedBytes: usage.usedBytes, quotaBytes: usage.quotaBytes },
      'owner told the box is almost full',
    )
    await call.play(prompts.own('mailboxAlmostFull'))
  }
}

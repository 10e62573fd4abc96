import { quotaState } from '../../quota/box-quota.js'
import type { OwnerSession } from './session.js'

/**
 * After login (SPEC §4 owner 3): "You have N new messages, M urgent, K saved messages", then a warning when the
 * box is at least 90 % full, or full (a caller arriving now would be turned away: quota/rules.ts `fullness`, the
 * test the deposit, the voicemail page and voicemailctl use too).
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

  const usage = await quotaState(box, deps)
  const state = usage.state
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

import type { Call } from '../../esl/call.js'
import type { Logger } from '../../log.js'
import type { FlowDeps } from '../deps.js'
import { loginToBox } from './login.js'

export interface OwnerTarget {
  domain: string
  /** Known box (5001, login, `*` from a greeting); absent = ask for it (5000). */
  box?: string
}

/** The owner side (SPEC §4 "Check / login / menu"). Placeholder until the owner flow lands. */
export async function ownerAccess(call: Call, target: OwnerTarget, deps: FlowDeps, log: Logger): Promise<void> {
  await call.answer()
  const box = target.box === undefined ? undefined : await deps.store.mailboxes.find(target.domain, target.box)
  if (box === undefined) {
    await call.play(deps.prompts.own('mailboxUnavailable'))
    await call.hangup()
    return
  }
  await loginToBox(call, box, deps, log)
}

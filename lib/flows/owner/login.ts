import type { Call } from '../../esl/call.js'
import type { Logger } from '../../log.js'
import type { Mailbox } from '../../store/types.js'
import type { FlowDeps } from '../deps.js'

/**
 * Owner login to a known box (from `*` during its greeting, or `vm_action=login`). Placeholder until the owner
 * flow lands: asks the PIN and says goodbye.
 */
export async function loginToBox(call: Call, box: Mailbox, deps: FlowDeps, log: Logger): Promise<void> {
  log.info({ mailbox: box.id }, 'owner login requested')
  await call.collect({ prompt: deps.prompts.std('enterPass'), min: 4, max: 10, timeoutMs: deps.config.menus.digitTimeoutMs })
  await call.play(deps.prompts.std('goodbye'))
  await call.hangup()
}

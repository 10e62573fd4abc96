import type { Call } from '../../esl/call.js'
import type { Logger } from '../../log.js'
import { domainSettings } from '../../store/domain-settings.js'
import type { Mailbox } from '../../store/types.js'
import type { FlowDeps } from '../deps.js'
import { provisionPersonalBox } from '../provision.js'
import { isOwnPhone } from './authenticate.js'
import { askBoxNumber } from './ask-box.js'
import { loginToBox } from './login.js'
import { sayGoodbye } from './session.js'

export interface OwnerTarget {
  domain: string
  /** Known box (5001, login, `*` from a greeting); absent = ask for it (5000). */
  box?: string
}

/**
 * The owner side (SPEC §4 "Check / login / menu"): answer, identify the box (given, or keyed in after "please
 * enter your mailbox number"), then `loginToBox`. A known box that does not exist is "not available"; 5001 from a
 * phone FreeSWITCH knows creates that extension's personal box first when the domain auto-provisions (as a
 * deposit would), so an owner can set up the box before anyone called.
 */
export async function ownerAccess(
  call: Call,
  target: OwnerTarget,
  deps: FlowDeps,
  parentLog: Logger,
): Promise<void> {
  const log = parentLog.child({ flow: 'owner', domain: target.domain })
  await call.answer()
  const box =
    target.box === undefined
      ? await askBoxNumber(call, deps, log, {
          prompt: 'enterId',
          domain: target.domain,
          accept: () => true,
          reason: 'unknown mailbox number entered',
        })
      : await findBox(call, target, deps, log)
  if (box === undefined) {
    if (target.box !== undefined) await call.play(deps.prompts.own('mailboxUnavailable'))
    await sayGoodbye(call, deps)
    return
  }
  await loginToBox(call, box, deps, log)
}

async function findBox(
  call: Call,
  target: OwnerTarget,
  deps: FlowDeps,
  log: Logger,
): Promise<Mailbox | undefined> {
  const id = target.box as string
  const existing = await deps.store.mailboxes.find(target.domain, id)
  if (existing !== undefined) return existing
  if (call.info.variables.get('vm_action') !== 'check') return undefined
  const settings = await domainSettings(target.domain, deps)
  if (!settings.autoProvision || settings.mode === 'unified') return undefined
  const probe = { kind: 'personal', id, domain: target.domain } as Mailbox
  if (!isOwnPhone(call, probe)) return undefined
  return provisionPersonalBox(target.domain, id, deps, log)
}

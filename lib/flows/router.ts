import type { Call } from '../esl/call.js'
import { HangupError } from '../esl/errors.js'
import type { Logger } from '../log.js'
import { isBoxNumber, isSafeDomain } from '../mailbox-values.js'
import { domainSettings } from '../store/domain-settings.js'
import type { FlowDeps } from './deps.js'
import { deposit } from './deposit.js'
import { ownerAccess } from './owner/access.js'

export type VmAction = 'deposit' | 'check' | 'login' | 'menu'
const ACTIONS: readonly string[] = ['deposit', 'check', 'login', 'menu']

/**
 * What the dialplan asked for (SPEC §2): `vm_action`, `vm_mailbox`, `vm_domain` (else `domain_name`, else the
 * default domain). Bad values are refused with a clear log line and a spoken apology, never a crash.
 */
export async function routeCall(call: Call, deps: FlowDeps, parentLog: Logger): Promise<void> {
  try {
    await dispatch(call, deps, parentLog)
  } catch (err) {
    await apologise(call, deps, err)
    throw err
  }
}

/**
 * SPEC §8: a disk or database failure the flow did not handle itself (a box folder that cannot be created, a
 * store error outside the commit) must still end with a clear apology, not silence and a hangup. The error is
 * rethrown for the call runner to log; a failing apology (the channel is going away) is ignored.
 */
async function apologise(call: Call, deps: FlowDeps, err: unknown): Promise<void> {
  if (err instanceof HangupError || call.hungUp) return
  try {
    await call.play(deps.prompts.own('systemError'))
    await call.play(deps.prompts.std('goodbye'))
  } catch {
    // The caller is gone or FreeSWITCH refused: the runner hangs up and logs the original error.
  }
}

async function dispatch(call: Call, deps: FlowDeps, parentLog: Logger): Promise<void> {
  const vars = call.info.variables
  const action = vars.get('vm_action') ?? ''
  const domain = (vars.get('vm_domain') ?? vars.get('domain_name') ?? deps.config.defaultDomain).toLowerCase()
  const log = parentLog.child({ action, domain })

  if (!ACTIONS.includes(action)) return refuse(call, deps, log, 'unknown vm_action')
  if (!isSafeDomain(domain)) return refuse(call, deps, log, 'invalid vm_domain')
  const mailbox = vars.get('vm_mailbox')
  if (mailbox !== undefined && !isBoxNumber(mailbox)) return refuse(call, deps, log, 'invalid vm_mailbox')

  switch (action as VmAction) {
    case 'deposit':
      if (mailbox === undefined) return refuse(call, deps, log, 'deposit without vm_mailbox')
      return deposit(call, { domain, box: mailbox }, deps, log)
    case 'login':
      if (mailbox === undefined) return refuse(call, deps, log, 'login without vm_mailbox')
      return ownerAccess(call, { domain, box: mailbox }, deps, log)
    case 'menu':
      return ownerAccess(call, { domain }, deps, log)
    case 'check': {
      const settings = await domainSettings(domain, deps)
      const own = mailbox ?? callerExtension(call)
      const box =
        settings.mode === 'unified' && settings.unifiedMailbox !== undefined ? settings.unifiedMailbox : own
      if (box === undefined || !isBoxNumber(box)) return ownerAccess(call, { domain }, deps, log)
      return ownerAccess(call, { domain, box }, deps, log)
    }
  }
}

/**
 * The caller's own extension for 5001: the directory user FreeSWITCH authenticated (`user_name`, set for
 * registered phones), else the SIP From user, else the caller id number.
 */
export function callerExtension(call: Call): string | undefined {
  const vars = call.info.variables
  for (const candidate of [vars.get('user_name'), vars.get('sip_from_user'), call.info.callerIdNumber]) {
    if (candidate !== undefined && isBoxNumber(candidate)) return candidate
  }
  return undefined
}

async function refuse(call: Call, deps: FlowDeps, log: Logger, reason: string): Promise<void> {
  log.warn({ reason, vmMailbox: call.info.variables.get('vm_mailbox') }, 'call refused')
  await call.answer()
  await call.play(deps.prompts.own('systemError'))
  await call.play(deps.prompts.std('goodbye'))
  await call.hangup()
}

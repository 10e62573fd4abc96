import type { Call } from '../../esl/call.js'
import { purgeAtSessionEnd } from '../../lifecycle/purge-deleted.js'
import type { Logger } from '../../log.js'
import { domainSettings } from '../../store/domain-settings.js'
import type { Mailbox } from '../../store/types.js'
import type { FlowDeps } from '../deps.js'
import { announce } from './announce.js'
import { authenticate } from './authenticate.js'
import { firstLogin } from './first-login.js'
import { mainMenu } from './main-menu.js'
import { openSession, sayGoodbye, type OwnerSession } from './session.js'

/** An IANA zone name we may hand to FreeSWITCH as one argument word. */
const ZONE = /^[A-Za-z0-9_+\-/]{1,64}$/

/**
 * Owner login to a known box (5001, `vm_action=login`, 5000 after the number, `*` during the box's greeting; the
 * call is answered already): PIN (with lockout), first-login setup when needed, counts, main menu, goodbye.
 * Messages the owner deleted are purged when the session ends, however it ends (hangup included). Resolves when
 * the owner is done; HangupError propagates after the purge.
 */
export async function loginToBox(call: Call, box: Mailbox, deps: FlowDeps, parentLog: Logger): Promise<void> {
  const log = parentLog.child({ flow: 'owner', domain: box.domain, mailbox: box.id })
  const outcome = await authenticate(call, box, deps, log)
  if (outcome === 'refused') {
    await sayGoodbye(call, deps)
    return
  }
  const session = openSession(call, (await deps.store.mailboxes.findByRowId(box.rowId)) ?? box, deps, log)
  try {
    if (outcome === 'setup' && !(await firstLogin(session))) {
      await sayGoodbye(call, deps)
      return
    }
    await useBoxTimezone(session)
    await announce(session)
    const end = await mainMenu(session)
    if (end !== 'transferred') await sayGoodbye(call, deps)
  } finally {
    await purgeAtSessionEnd(session.box, deps, log)
  }
}

/**
 * mod_say reads the channel variable `timezone` when it says a date (mod_say_en), so envelope dates come out in
 * the box's zone (else the domain's), not the server's (FusionPBX issue 2777).
 */
async function useBoxTimezone(session: OwnerSession): Promise<void> {
  const { box, deps, call, log } = session
  const zone = box.timezone ?? (await domainSettings(box.domain, deps)).timezone
  if (ZONE.test(zone)) await call.setVariable('timezone', zone)
  else log.warn({ timezone: zone }, 'timezone not usable; dates in the server zone')
}

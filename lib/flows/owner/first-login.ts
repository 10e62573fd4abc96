import { chooseNewPin, storeNewPin } from './pin-change.js'
import { recordGreeting } from './record-greeting.js'
import type { OwnerSession } from './session.js'

/**
 * First login (SPEC §4 owner 2): the box has no PIN, or the owner logged in with a temporary one. The owner must
 * choose a PIN (twice, policy checked) and is then asked to record a name (listen / save / re-record). Resolves
 * false when no PIN was chosen: the owner does not get in with a temporary PIN.
 */
export async function firstLogin(session: OwnerSession): Promise<boolean> {
  const { call, deps, log } = session
  log.info({ hadPin: session.box.pinHash !== undefined }, 'first login: choose a PIN and record a name')
  await call.play(deps.prompts.own('firstLogin'))
  const pin = await chooseNewPin(call, session.box, deps, log)
  if (pin === undefined) return false
  await storeNewPin(session, pin)
  await call.play(deps.prompts.std('passwordChanged'))
  await recordGreeting(session, 'name')
  return true
}

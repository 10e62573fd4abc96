import { removeGreeting } from '../../lifecycle/greetings.js'
import type { GreetingKind } from '../../store/types.js'
import { chooseKey } from '../menu.js'
import { changePin } from './pin-change.js'
import { recordGreeting } from './record-greeting.js'
import { reloadBox, type OwnerSession } from './session.js'

/**
 * Main menu `5` (SPEC §4 owner 6): `1` record the unavailable greeting, `2` the busy greeting, `3` the name, `4`
 * temporary greeting (`1` record, `2` remove, `0` back), `5` choose the active greeting, `6` change the PIN, `0`
 * back to the main menu (so does no answer).
 */
export async function optionsMenu(session: OwnerSession): Promise<void> {
  const { call, deps } = session
  for (;;) {
    const key = await chooseKey(call, deps, [deps.prompts.own('optionsMenu')], '1234560')
    if (key === undefined || key === '0') return
    switch (key) {
      case '1':
        await recordGreeting(session, 'unavailable')
        break
      case '2':
        await recordGreeting(session, 'busy')
        break
      case '3':
        await recordGreeting(session, 'name')
        break
      case '4':
        await temporaryGreeting(session)
        break
      case '5':
        await chooseActiveGreeting(session)
        break
      case '6':
        await changePin(session)
        break
      default:
        return
    }
  }
}

/**
 * The temporary greeting (vacation, office closed) overrides every other greeting while it is set, so the owner
 * hears whether it is on before choosing: `1` record, `2` remove, `0` back.
 */
async function temporaryGreeting(session: OwnerSession): Promise<void> {
  const { call, deps, box, log } = session
  const current = await deps.store.greetings.get(box.rowId, 'temporary')
  if (current !== undefined) await call.play(deps.prompts.own('temporaryGreetingActive'))
  const key = await chooseKey(call, deps, [deps.prompts.own('recordTemporaryOrRemove')], '120')
  if (key === '1') {
    await recordGreeting(session, 'temporary')
    return
  }
  if (key !== '2') return
  await removeGreeting(box, 'temporary', session.actor, deps, log)
  await call.play(deps.prompts.own('temporaryGreetingRemoved'))
}

const ACTIVE_CHOICES: Readonly<Record<string, GreetingKind>> = {
  '1': 'unavailable',
  '2': 'busy',
  '3': 'name',
}

/**
 * Which greeting callers hear on an ordinary unanswered call: `1` the unavailable greeting (the default), `2` the
 * busy greeting, `3` the standard greeting (recorded name + "is not available", else the number). A choice whose
 * recording does not exist yet falls back along the deposit chain. Calls the dialplan marks busy always get the
 * busy greeting if recorded, and a temporary greeting wins over all of them while it is set.
 */
async function chooseActiveGreeting(session: OwnerSession): Promise<void> {
  const { call, deps, box, log } = session
  const key = await chooseKey(call, deps, [deps.prompts.own('chooseActiveGreeting')], '123')
  const kind = key === undefined ? undefined : ACTIVE_CHOICES[key]
  if (kind === undefined) return
  await deps.store.mailboxes.setActiveGreeting(box.rowId, kind)
  await deps.store.audit.append({
    mailboxRowId: box.rowId,
    actor: session.actor,
    action: 'greeting.activated',
    detail: { kind },
  })
  log.info({ kind }, 'active greeting chosen')
  await reloadBox(session)
  await call.play([deps.prompts.std('greeting'), deps.prompts.std('selected')])
}

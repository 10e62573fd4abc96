import { chooseKey } from '../menu.js'
import { listenFolder } from './message-actions.js'
import { optionsMenu } from './options-menu.js'
import type { OwnerSession } from './session.js'

/** How the main menu ended: `#`, no answer after the retries, or the call was transferred (callback). */
export type MainMenuOutcome = 'exit' | 'timeout' | 'transferred'

/** Main menu (SPEC §4 owner 4): `1` new messages, `2` saved messages, `5` options, `#` exit. */
export async function mainMenu(session: OwnerSession): Promise<MainMenuOutcome> {
  const { call, deps } = session
  const menu = deps.prompts.menu([
    ['listenNew', '1'],
    ['listenSaved', '2'],
    ['advanced', '5'],
    ['toExit', '#'],
  ])
  for (;;) {
    const key = await chooseKey(call, deps, menu, '125#')
    if (key === undefined) return 'timeout'
    if (key === '#') return 'exit'
    if (key === '5') {
      await optionsMenu(session)
      continue
    }
    const outcome = await listenFolder(session, key === '1' ? 'new' : 'saved')
    if (outcome === 'transferred') return 'transferred'
  }
}

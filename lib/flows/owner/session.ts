import type { UpdateReason } from '../../contracts/lamps.js'
import type { Call } from '../../esl/call.js'
import type { Logger } from '../../log.js'
import { refreshLamp as refreshBoxLamp } from '../../lifecycle/lamps.js'
import type { Mailbox } from '../../store/types.js'
import type { FlowDeps } from '../deps.js'

/** One logged-in owner on one call: what every owner menu works with. */
export interface OwnerSession {
  readonly call: Call
  readonly deps: FlowDeps
  readonly log: Logger
  /** The box as last read from the store (menus re-read it after they change it). */
  box: Mailbox
  /** Audit actor: `phone:<call uuid>`. */
  readonly actor: string
}

/** A session for `box` on `call`. */
export function openSession(call: Call, box: Mailbox, deps: FlowDeps, log: Logger): OwnerSession {
  return { call, deps, log, box, actor: `phone:${call.info.uuid}` }
}

/** Re-read the box (after a PIN, greeting or lock change). Keeps the old copy if the box vanished meanwhile. */
export async function reloadBox(session: OwnerSession): Promise<Mailbox> {
  const fresh = await session.deps.store.mailboxes.findByRowId(session.box.rowId)
  if (fresh !== undefined) session.box = fresh
  return session.box
}

/**
 * Ask for the lamps of `box` (default: the session's) to be pushed now. SPEC §4.7: after every change, not at
 * hang-up as mod_voicemail does (its lamp only moves when a message list ends). Never throws into the call.
 */
export async function refreshLamp(
  session: Pick<OwnerSession, 'deps' | 'log' | 'box'>,
  reason: UpdateReason,
  box: Mailbox = session.box,
): Promise<void> {
  await refreshBoxLamp(session.deps, box, reason, session.log)
}

/** "Goodbye" and hang up, unless the caller is gone already. */
export async function sayGoodbye(call: Call, deps: Pick<FlowDeps, 'prompts'>): Promise<void> {
  if (call.hungUp) return
  await call.play(deps.prompts.std('goodbye'))
  await call.hangup()
}

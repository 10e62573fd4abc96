import type { UpdateReason } from '../../contracts/lamps.js'
import type { Call } from '../../esl/call.js'
import type { Logger } from '../../log.js'
import type { Mailbox } from '../../store/types.js'
import { unlinkRemoved } from '../../store/unlink-removed.js'
import type { FlowDeps } from '../deps.js'
import { rearmFullNotice } from '../quota-check.js'

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
  await session.deps.mwi
    .refresh(box, reason)
    .catch((err: unknown) => session.log.warn({ err, reason }, 'lamp refresh failed'))
}

/**
 * Purge the messages the owner marked deleted during this call (SPEC §4.5: "purged when the owner hangs up"; the
 * voicemail page does the same at logout). Rows removed and files tombstoned in one transaction, files unlinked
 * after (`unlinkRemoved`); then the lamp and the full-box notice re-arm. Runs after a hangup too: it touches only
 * the store and the disk. Never throws (a failure leaves the rows for the cleanup job, or the tombstones for
 * reconcile).
 */
export async function purgeDeleted(session: Pick<OwnerSession, 'deps' | 'log' | 'box'>): Promise<void> {
  const { deps, log, box } = session
  try {
    const files = await deps.store.messages.purgeDeleted(box.rowId)
    if (files.length === 0) return
    await unlinkRemoved(deps.store, deps.files, files, log)
    log.info({ purged: files.length }, 'deleted messages purged at hang-up')
    await refreshLamp(session, 'PURGE')
    await rearmFullNotice(box, deps)
  } catch (err) {
    log.error({ err }, 'purge at hang-up failed; the cleanup job will purge')
  }
}

/** "Goodbye" and hang up, unless the caller is gone already. */
export async function sayGoodbye(call: Call, deps: Pick<FlowDeps, 'prompts'>): Promise<void> {
  if (call.hungUp) return
  await call.play(deps.prompts.std('goodbye'))
  await call.hangup()
}
